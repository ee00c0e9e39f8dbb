package records

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	bolt "go.etcd.io/bbolt"
)

// ReceiptStore keeps, per deployment and destination, the receipt of the
// last message a destination gave back (for example a Slack channel and
// ts), so that a later event of the same deployment — in another
// invocation, after a cold start, or replayed days later — can update or
// thread that message. The Key names the deployment (EventID, e.g.
// "deployment:d-X") and the destination; a receipt is opaque bytes.
// Receipts expire after the store's TTL like delivery records.
type ReceiptStore interface {
	// PutReceipt stores receipt for k, replacing any earlier one.
	PutReceipt(ctx context.Context, k Key, receipt []byte) error
	// Receipt returns the receipt stored for k, or nil when there is none
	// (never stored, or expired).
	Receipt(ctx context.Context, k Key) ([]byte, error)
}

// DeploymentKey is the receipt key of a deployment at a destination.
// It is bounded like every key (NewKey).
func DeploymentKey(deploymentID, destination string) Key {
	// Bounded so that the DynamoDB partition key, receiptPrefix and this,
	// stays within MaxEventIDLen too.
	return Key{
		EventID:     bound("deployment:"+deploymentID, MaxEventIDLen-len(receiptPrefix)),
		Destination: bound(destination, MaxDestinationLen),
	}
}

var (
	_ ReceiptStore = (*Memory)(nil)
	_ ReceiptStore = (*File)(nil)
	_ ReceiptStore = (*DynamoDB)(nil)
)

// receiptBucket is the bbolt bucket of receipts, beside recordsBucket.
var receiptBucket = []byte("receipts")

// receiptPrefix sets receipt items apart from delivery records in the
// DynamoDB table, whose partition keys are event identities.
const receiptPrefix = "receipt#"

// attrReceipt is the DynamoDB attribute holding a receipt.
const attrReceipt = "receipt"

// PutReceipt implements [ReceiptStore].
func (m *Memory) PutReceipt(ctx context.Context, k Key, receipt []byte) error {
	if err := checkCall(ctx, k); err != nil {
		return fmt.Errorf("put receipt: %w", err)
	}
	s := m.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.receipts == nil {
		s.receipts = map[Key]record{}
	}
	s.receipts[k] = record{state: stateDone, result: append([]byte(nil), receipt...), expiresAt: s.now().Add(s.ttl).Unix()}
	return nil
}

// Receipt implements [ReceiptStore].
func (m *Memory) Receipt(ctx context.Context, k Key) ([]byte, error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	s := m.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.receipts[k]
	if !ok || r.expired(s.now()) {
		return nil, nil
	}
	return append([]byte(nil), r.result...), nil
}

// PutReceipt implements [ReceiptStore].
func (f *File) PutReceipt(ctx context.Context, k Key, receipt []byte) error {
	if err := checkCall(ctx, k); err != nil {
		return fmt.Errorf("put receipt: %w", err)
	}
	rec := record{state: stateDone, result: receipt, expiresAt: f.shared.now().Add(f.shared.ttl).Unix()}
	err := f.shared.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(receiptBucket)
		if err != nil {
			return err
		}
		return b.Put(fileKey(k), encodeRecord(&rec))
	})
	if err != nil {
		return fmt.Errorf("put receipt: %w", err)
	}
	return nil
}

// Receipt implements [ReceiptStore].
func (f *File) Receipt(ctx context.Context, k Key) ([]byte, error) {
	if err := checkCall(ctx, k); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	var out []byte
	err := f.shared.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(receiptBucket)
		if b == nil {
			return nil
		}
		v := b.Get(fileKey(k))
		if v == nil {
			return nil
		}
		rec, err := decodeRecord(v)
		if err != nil {
			return err
		}
		if !rec.expired(f.shared.now()) {
			out = append([]byte(nil), rec.result...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	return out, nil
}

// PutReceipt implements [ReceiptStore] with one PutItem; the item's
// partition key is "receipt#" and the deployment key, so receipts never
// meet delivery records.
func (d *DynamoDB) PutReceipt(ctx context.Context, k Key, receipt []byte) error {
	if err := k.Validate(); err != nil {
		return fmt.Errorf("put receipt: %w", err)
	}
	item := map[string]types.AttributeValue{
		attrPK:        &types.AttributeValueMemberS{Value: receiptPrefix + k.EventID},
		attrSK:        &types.AttributeValueMemberS{Value: k.Destination},
		attrExpiresAt: &types.AttributeValueMemberN{Value: strconv.FormatInt(d.now().Add(d.ttl).Unix(), 10)},
	}
	if len(receipt) > 0 {
		item[attrReceipt] = &types.AttributeValueMemberB{Value: receipt}
	}
	if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item}); err != nil {
		return fmt.Errorf("put receipt: %w", classify(err))
	}
	return nil
}

// Receipt implements [ReceiptStore] with one consistent GetItem.
func (d *DynamoDB) Receipt(ctx context.Context, k Key) ([]byte, error) {
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			attrPK: &types.AttributeValueMemberS{Value: receiptPrefix + k.EventID},
			attrSK: &types.AttributeValueMemberS{Value: k.Destination},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("receipt: %w", classify(err))
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	if exp, ok := out.Item[attrExpiresAt].(*types.AttributeValueMemberN); ok {
		if s, err := strconv.ParseInt(exp.Value, 10, 64); err == nil && s < d.now().Unix() {
			return nil, nil
		}
	}
	if b, ok := out.Item[attrReceipt].(*types.AttributeValueMemberB); ok {
		return b.Value, nil
	}
	return []byte{}, nil
}

// Log messages of the receipt fallback.
const (
	msgReceiptReadFailed = "message receipt unavailable: a new message is posted instead of updating the earlier one"
	msgReceiptSaveFailed = "message receipt not saved: later events post new messages instead of updating this one"
)

// ReceiptsWithFallback wraps s so that a failing store never stops a
// notification: each call is bounded by [WithCallTimeout] (default 5 s); a
// failed read logs one warning and answers "no receipt", a failed write
// logs one warning and returns nil.
func ReceiptsWithFallback(s ReceiptStore, log *slog.Logger, opts ...Option) ReceiptStore {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &resilientReceipts{s: s, log: log, timeout: newConfig(opts).callTimeout}
}

type resilientReceipts struct {
	s       ReceiptStore
	log     *slog.Logger
	timeout time.Duration
}

func (r *resilientReceipts) PutReceipt(ctx context.Context, k Key, receipt []byte) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	if err := r.s.PutReceipt(cctx, k, receipt); err != nil {
		r.warn(ctx, msgReceiptSaveFailed, k, err)
	}
	return nil
}

func (r *resilientReceipts) Receipt(ctx context.Context, k Key) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	b, err := r.s.Receipt(cctx, k)
	if err != nil {
		r.warn(ctx, msgReceiptReadFailed, k, err)
		return nil, nil
	}
	return b, nil
}

func (r *resilientReceipts) warn(ctx context.Context, msg string, k Key, err error) {
	r.log.LogAttrs(context.WithoutCancel(ctx), slog.LevelWarn, msg,
		slog.String("deployment_key", k.EventID),
		slog.String("destination", k.Destination),
		slog.Bool("unavailable", errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)),
		slog.Any("err", err),
	)
}
