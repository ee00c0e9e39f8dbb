package setup

import "context"

// IsFollowUp reports whether body is a CloudFront completion follow-up.
func IsFollowUp(body []byte) bool { return false }

// FollowUp checks one follow-up message.
func (s *System) FollowUp(ctx context.Context, body []byte) error { return nil }
