package setup

import (
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/dispatch"
)

func (s *System) addEnrichment(d *dispatch.Dispatcher, cfg *config.Config, opts Options) {}
