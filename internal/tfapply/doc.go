// Package tfapply applies the Terraform module for real, against moto, and
// drives the deployed configuration end to end. It has no non-test code.
//
// TestCompleteExampleOnMoto copies terraform/examples/complete and the
// module it uses into a temporary directory, adds the example's own
// moto_override.tf.example (provider endpoints, dummy keys, skip flags) as
// moto_override.tf, and runs terraform init (offline, from a filesystem
// mirror of hashicorp/aws), apply, output and destroy with the real
// hashicorp/aws provider against a moto server started by internal/testrig.
// Nothing is written into the repository.
//
// Between apply and destroy it uses what Terraform created the way a user
// and AWS would:
//
//   - it applies the example with its second destination: the test passes
//     oncall_webhook (the URL of a receiver of its own and a fresh whsec_
//     signing secret) as a user would, and the example stores both in SSM
//     SecureString parameters;
//   - it applies the example with its Slack app (var.slack_app): the test
//     stores a fresh bot token and signing secret in Secrets Manager
//     first, outside Terraform, as docs/slack-app.md says, and passes
//     their ARNs; through the SDK it checks the function URL exists with
//     AuthType NONE and is the slack_actions_url output, the function's
//     public permission allows lambda:InvokeFunctionUrl only, and the
//     role grants the button actions on the example's deployment group
//     only and lambda:InvokeFunction on the function itself only;
//   - it reads the function's configuration back from moto Lambda and
//     checks the environment (the contract with the bootstrap) holds a
//     Secrets Manager ARN for Slack and, in CUTOVER_DESTINATIONS, the
//     parameter names and routing of the signed webhook (failures only),
//     and the Slack app's secret ARNs, and never a webhook URL, bot token
//     or signing secret;
//   - it stores the webhook URL (a fake Slack) in the secret the example
//     created, as `aws secretsmanager put-secret-value` would;
//   - it creates CodeDeploy deployments on the deployment group Terraform
//     created and publishes trigger notifications of CodeDeploy's real
//     shapes (traffic switched, deployment failed) to the module's SNS
//     topic. moto cannot run Lambda functions, so a queue of the test's own
//     subscribed to the topic receives the SNS envelopes, and each is handed,
//     as the SNS event Lambda would pass, to the real bootstrap under the
//     Lambda Runtime Interface Emulator with the function's configured
//     environment;
//   - it checks the fake Slack got one message per event, and the fake
//     Slack Web API (CUTOVER_SLACK_API_URL, the one variable the test adds
//     besides moto's endpoint) one Slack app message per deployment; the webhook
//     receiver, which verifies every request's Standard Webhooks signature
//     (HMAC-SHA256 of id.timestamp.body with the whsec_ key) and its
//     X-Signature (sha256= and the hex HMAC of the body) as the
//     specifications define them, got the failure once and not the traffic
//     switch, which its events filter out; the CloudFront
//     distribution Terraform created holds one invalidation per event with
//     cutover's caller reference, the records table holds delivery records,
//     the follow-up queue holds completion checks, and a redelivery of the
//     same events changes nothing.
//
// After terraform destroy it lists what moto still holds and checks that
// nothing the example created is left, the webhook's SSM parameters
// included. The webhook's URL and secret may be in the state only in those
// two parameters, and never in outputs, the function's configuration or
// its logs; the Slack app's token and signing secret are in none of
// these nor in the state. The test deletes those two secrets itself (they
// are the user's, not the example's) before the destroy.
//
// TestOrganizationExampleOnMoto applies terraform/examples/organization
// (the hub and two spoke accounts, one provider per account; moto gives a
// provider that assumes a role in another account that account's backend)
// the same way, checks the spoke roles' trust policies and trigger topic
// subscriptions in each spoke account, then builds cutover from the
// environment Terraform gave the hub function (CUTOVER_ACCOUNTS) and sends a
// deployment event from each spoke: each is enriched through the spoke's
// assumed role and routed by account, and an unlisted account's event is
// notified without details. It does not destroy (moto is stopped with the
// test) and takes about two minutes.
//
// The tests need the terraform binary on PATH and a filesystem mirror of the
// hashicorp/aws provider at /opt/tf-plugins (or CUTOVER_TF_PLUGIN_DIR); it
// fails, never skips, without them. It takes three to four minutes on two
// cores, most of it the provider's own waits (see the test's comment for
// where the time goes), so run it with the default go test timeout or more.
package tfapply
