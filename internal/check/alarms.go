package check

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// AlarmsAPI is the CloudWatch call alarm checks make.
type AlarmsAPI interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// How much of the alarms a Summary names.
const (
	maxAlarmsShown = 3
	maxReason      = 80
)

// alarm is one alarm's name, state and reason.
type alarm struct {
	name, state, reason string
}

// runAlarms reads s.AlarmNames (metric and composite alarms) and fails
// when any is in ALARM or missing; unreadable alarms are an Error.
func runAlarms(ctx context.Context, api AlarmsAPI, s *Spec) Result {
	if api == nil {
		return Result{Error: "no CloudWatch client"}
	}
	in := &cloudwatch.DescribeAlarmsInput{
		AlarmNames: s.AlarmNames,
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
		MaxRecords: aws.Int32(MaxAlarms),
	}
	found := map[string]alarm{}
	for page := 0; page < 10; page++ {
		out, err := api.DescribeAlarms(ctx, in)
		if err != nil {
			return Result{Error: "cloudwatch DescribeAlarms: " + awsProblem(err)}
		}
		for _, a := range out.MetricAlarms {
			n := aws.ToString(a.AlarmName)
			found[n] = alarm{n, string(a.StateValue), aws.ToString(a.StateReason)}
		}
		for _, a := range out.CompositeAlarms {
			n := aws.ToString(a.AlarmName)
			found[n] = alarm{n, string(a.StateValue), aws.ToString(a.StateReason)}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return judgeAlarms(s.AlarmNames, found)
}

// judgeAlarms decides from what DescribeAlarms found, in configuration
// order.
func judgeAlarms(names []string, found map[string]alarm) Result {
	var firing, missing []string
	var firingAlarms []alarm
	insufficient := 0
	for _, n := range names {
		a, ok := found[n]
		switch {
		case !ok:
			missing = append(missing, n)
		case a.state == string(cwtypes.StateValueAlarm):
			firing = append(firing, n)
			firingAlarms = append(firingAlarms, a)
		case a.state == string(cwtypes.StateValueInsufficientData):
			insufficient++
		}
	}
	if len(missing) > 0 {
		return Result{Error: fmt.Sprintf("%d of %d alarms not found: %s", len(missing), len(names), shown(missing))}
	}
	if len(firing) > 0 {
		parts := make([]string, 0, maxAlarmsShown)
		for _, a := range firingAlarms[:min(len(firingAlarms), maxAlarmsShown)] {
			p := a.name
			if r := strings.Join(strings.Fields(a.reason), " "); r != "" {
				p += " (" + clipText(r, maxReason) + ")"
			}
			parts = append(parts, p)
		}
		s := fmt.Sprintf("%d of %d alarms in ALARM: %s", len(firing), len(names), strings.Join(parts, ", "))
		if more := len(firing) - maxAlarmsShown; more > 0 {
			s += fmt.Sprintf(" and %d more", more)
		}
		return Result{Summary: s}
	}
	s := fmt.Sprintf("%d alarms not in ALARM: %s", len(names), shown(names))
	if len(names) == 1 {
		s = fmt.Sprintf("alarm %s not in ALARM", names[0])
	}
	if insufficient > 0 {
		s += fmt.Sprintf(" (%d with insufficient data)", insufficient)
	}
	return Result{Passed: true, Summary: s}
}

// shown lists the first names and how many more.
func shown(names []string) string {
	s := strings.Join(names[:min(len(names), maxAlarmsShown)], ", ")
	if more := len(names) - maxAlarmsShown; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}
