package source

import "github.com/cutover-dev/cutover/internal/deploy"

// DecodeOnce is the one-pass path alone: what it decodes and whether it
// took the input.
func (r *Registry) DecodeOnce(data []byte) ([]deploy.Event, bool) { return r.decodeOnce(data, nil, 0) }

// DecodeLayered is the layer-by-layer path alone.
func (r *Registry) DecodeLayered(data []byte) ([]deploy.Event, error) { return r.decode(data, 0) }
