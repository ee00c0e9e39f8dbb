// Package snshttp receives Amazon SNS HTTP/S deliveries for `cutover serve`.
//
// A Verifier checks that a POST body really comes from SNS: the topic is on
// a configured allowlist, the message is recent, the signing certificate was
// fetched over HTTPS from an SNS host, and the RSA signature (SignatureVersion
// "1", SHA1withRSA, or "2", SHA256withRSA) covers the signed fields. A Handler
// serves the subscription endpoint: it confirms subscriptions, acknowledges
// unsubscriptions and passes verified notifications to a DeliverFunc.
//
// Status codes follow SNS's HTTP/S delivery policy, which retries only on
// server-side failures (5xx, timeouts, connection errors) and drops a
// delivery answered with a 4xx: malformed and unverifiable bodies get 400 or
// 403 so they are not retried, oversize bodies 413, and only failures that a
// later attempt can fix get a 5xx.
package snshttp
