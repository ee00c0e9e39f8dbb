package slackapp

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// State is what the Slack app keeps about one deployment's living
// message, in the delivery records and in the receipt: where the parent
// is, the timeline of phases, and the parent's current body. Merging a
// step into a State is order-independent: the same steps in any order
// give the same State, so the same message.
type State struct {
	// Version counts the writes of the state (1: the parent was posted).
	Version int `json:"v"`
	// Thread is the deployment whose thread this is: a rollback
	// deployment's events join the thread of the deployment it rolls back.
	Thread string `json:"thread"`
	// Channel and Parent are where the parent message is (channel ID,
	// ts); empty until it is posted.
	Channel string `json:"channel,omitempty"`
	Parent  string `json:"parent,omitempty"`
	// Pending are the metadata identities of posts (the parent, replies)
	// whose answer was lost: the next attempt looks for each before
	// posting it again.
	Pending []string `json:"pending,omitempty"`
	// Steps are the timeline, sorted (see less).
	Steps []Step `json:"steps,omitempty"`
	// Head is the body of the parent: the message of the latest step.
	Head *Head `json:"head,omitempty"`
	// Requested are the actions someone asked for with the buttons, by
	// time: the parent says so and offers no more buttons.
	Requested []Requested `json:"requested,omitempty"`
}

// Requested is one button action a user asked for.
type Requested struct {
	// Action is the control.Action value.
	Action string `json:"action"`
	// User is the Slack user ID of who asked.
	User string `json:"user"`
	// At is when it was asked.
	At time.Time `json:"at"`
}

// Request adds r to st's requests, once per action (the earliest), kept
// by time then action: the order of arrival does not matter.
func (st *State) Request(r Requested) {
	rs := slices.Clone(st.Requested)
	i := slices.IndexFunc(rs, func(x Requested) bool { return x.Action == r.Action })
	switch {
	case i < 0:
		rs = append(rs, r)
	case r.At.Before(rs[i].At):
		rs[i] = r
	}
	slices.SortFunc(rs, func(a, b Requested) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Action, b.Action)
	})
	st.Requested = rs
}

// Step is one phase of the timeline.
type Step struct {
	// Key is the event's identity (deploy.Event.Identity).
	Key string `json:"key"`
	// Deployment is the deployment the event is about.
	Deployment string `json:"deployment"`
	// Phase is what happened.
	Phase deploy.Phase `json:"phase"`
	// Rollback is true for a step of a rollback deployment.
	Rollback bool `json:"rollback,omitempty"`
	// At is when it happened (the event's publish time, else when cutover
	// received it).
	At time.Time `json:"at"`
}

// Head is the parent's body as of one step: the Slack rendering of that
// step's message, and its buttons while the rollback window is open.
type Head struct {
	Step        Step            `json:"step"`
	Text        string          `json:"text"`
	Blocks      json.RawMessage `json:"blocks"`
	Attachments json.RawMessage `json:"attachments,omitempty"`
	// Buttons are the actions offered (control.Action values), empty once
	// the window closed or the deployment ended.
	Buttons []string `json:"buttons,omitempty"`
	// Ref is the encoded control.Ref, the buttons' value.
	Ref string `json:"ref,omitempty"`
}

// rank orders phases of one deployment when their times are equal.
func rank(p deploy.Phase) int {
	switch p {
	case deploy.Started:
		return 1
	case deploy.Ready:
		return 2
	case deploy.TrafficSwitched:
		return 3
	case deploy.RollingBack:
		return 4
	case deploy.Succeeded, deploy.Failed, deploy.Stopped:
		return 5
	}
	return 0
}

// compare orders steps: by time, then phase, then key.
func compare(a, b Step) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(rank(a.Phase), rank(b.Phase)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return cmp.Compare(a.Deployment, b.Deployment)
}

// maxSteps bounds the timeline kept (and shown).
const maxSteps = 40

// Merge adds step s, with head the parent's body as of s (nil: s does not
// change the parent's body), to st. A step already there (same key) is
// kept once, at its earliest time; the head is that of the latest step.
// Merge is commutative: order of arrival does not matter.
func (st *State) Merge(s Step, head *Head) {
	i := slices.IndexFunc(st.Steps, func(x Step) bool { return x.Key == s.Key })
	switch {
	case i < 0:
		st.Steps = append(st.Steps, s)
	case compare(s, st.Steps[i]) < 0:
		st.Steps[i] = s
	}
	slices.SortFunc(st.Steps, compare)
	if len(st.Steps) > maxSteps {
		st.Steps = slices.Clone(st.Steps[len(st.Steps)-maxSteps:])
	}
	if head != nil && (st.Head == nil || compare(head.Step, st.Head.Step) >= 0) {
		if st.Head == nil || compare(head.Step, st.Head.Step) > 0 || string(mustJSON(head)) > string(mustJSON(st.Head)) {
			h := *head
			st.Head = &h
		}
	}
}

// pending reports whether the post id may already be in Slack.
func (st *State) pending(id string) bool { return slices.Contains(st.Pending, id) }

// setPending marks the post id as possibly posted, or not.
func (st *State) setPending(id string, on bool) {
	st.Pending = slices.DeleteFunc(slices.Clone(st.Pending), func(x string) bool { return x == id })
	if on {
		st.Pending = append(st.Pending, id)
		slices.Sort(st.Pending)
	}
}

// mustJSON encodes v for a total order of equal-step heads.
func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
