package testrig

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// CreateDistribution creates a minimal enabled CloudFront distribution in
// moto (one S3 origin, named after name) and returns its ID. name must be
// unique per moto reset: it is also the CallerReference.
func (m *Moto) CreateDistribution(t testing.TB, name string) string {
	t.Helper()
	out, err := cloudfront.NewFromConfig(m.AWSConfig(t)).CreateDistribution(t.Context(), &cloudfront.CreateDistributionInput{
		DistributionConfig: &cftypes.DistributionConfig{
			CallerReference: aws.String(name),
			Comment:         aws.String(name),
			Enabled:         aws.Bool(true),
			Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
				Id:             aws.String("site"),
				DomainName:     aws.String(name + ".s3.amazonaws.com"),
				S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")},
			}}},
			DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
				TargetOriginId:       aws.String("site"),
				ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
				MinTTL:               aws.Int64(0),
				ForwardedValues: &cftypes.ForwardedValues{
					QueryString: aws.Bool(false),
					Cookies:     &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone},
				},
				TrustedSigners: &cftypes.TrustedSigners{Enabled: aws.Bool(false), Quantity: aws.Int32(0)},
			},
		},
	})
	if err != nil {
		t.Fatalf("testrig: CreateDistribution: %v", err)
	}
	return aws.ToString(out.Distribution.Id)
}
