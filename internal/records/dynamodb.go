package records

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cutover-dev/cutover/internal/awsx"
)

// DynamoDB item attribute names. The Terraform module creates the table
// with hash key pk (S), range key sk (S) and TTL on expires_at.
const (
	attrPK         = "pk"          // S: Key.EventID
	attrSK         = "sk"          // S: Key.Destination
	attrState      = "state"       // S: "claimed" or "done"
	attrOwner      = "owner"       // S: owner token of the claim; absent when done
	attrLeaseUntil = "lease_until" // N: claim lease end, epoch ms; absent when done
	attrResult     = "result"      // B: what Complete stored; absent when empty
	attrExpiresAt  = "expires_at"  // N: TTL, epoch seconds
)

// Condition and update expressions. Every non-key attribute goes through a
// name placeholder: STATE, OWNER and RESULT are DynamoDB reserved words.
const (
	// claimCondition lets a Claim write when there is no live record, or
	// when the record is a claim whose lease ran out. expires_at is checked
	// because DynamoDB deletes expired items only eventually.
	claimCondition = "attribute_not_exists(pk) OR #exp < :now_s OR (#state = :claimed AND #lease < :now_ms)"
	// releaseCondition lets a Release delete only its own claim.
	releaseCondition = "#state = :claimed AND #owner = :me"
	completeUpdate   = "SET #state = :done, #exp = :exp, #result = :result REMOVE #owner, #lease"
	// completeUpdateEmpty is completeUpdate for an empty result.
	completeUpdateEmpty = "SET #state = :done, #exp = :exp REMOVE #owner, #lease, #result"
)

// claimAttempts bounds how often a Claim writes again when the record it
// lost to was gone or stale by the time it looked (a Release or lease
// expiry in between).
const claimAttempts = 3

// DynamoDBAPI is the part of the DynamoDB client a [DynamoDB] store uses;
// *dynamodb.Client implements it.
type DynamoDBAPI interface {
	// GetItem reads one item.
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	// PutItem writes one item, optionally under a condition.
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	// UpdateItem changes or creates one item.
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	// DeleteItem deletes one item, optionally under a condition.
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// DynamoDB is a [Store] in a DynamoDB table, for the Lambda function. The
// Terraform module creates the table: hash key pk (S), range key sk (S),
// TTL attribute expires_at. One item per delivery:
//
//	pk           S  Key.EventID
//	sk           S  Key.Destination
//	state        S  "claimed" or "done"
//	owner        S  random token of the claim (claimed only)
//	lease_until  N  end of the claim's lease, epoch milliseconds (claimed only)
//	result       B  what Complete stored (done only, absent when empty)
//	expires_at   N  TTL, epoch seconds: now+TTL, or the lease end if later
//
// Claim is a PutItem under the condition
//
//	attribute_not_exists(pk) OR expires_at < :now_s
//	    OR (state = :claimed AND lease_until < :now_ms)
//
// so concurrent invocations racing for one delivery are decided by
// DynamoDB, and an item past its TTL that DynamoDB has not deleted yet
// counts as absent. Complete is an unconditional UpdateItem; Release is a
// DeleteItem under "state = :claimed AND owner = :token". Errors after
// which the table may work again wrap [ErrUnavailable].
//
// The function needs dynamodb:GetItem, PutItem, UpdateItem and DeleteItem
// on the table.
type DynamoDB struct {
	client DynamoDBAPI
	table  string
	ttl    time.Duration
	now    func() time.Time
	own    owners
}

// NewDynamoDB returns a store in table, whose records expire after ttl
// ([DefaultTTL] when ttl <= 0). It honours [WithClock]. It makes no call;
// a missing table shows on the first Claim.
func NewDynamoDB(client DynamoDBAPI, table string, ttl time.Duration, opts ...Option) (*DynamoDB, error) {
	if client == nil {
		return nil, errors.New("new dynamodb store: nil client")
	}
	if table == "" {
		return nil, errors.New("new dynamodb store: empty table name")
	}
	c := newConfig(opts)
	return &DynamoDB{client: client, table: table, ttl: ttlOrDefault(ttl), now: c.now}, nil
}

// Claim implements [Store.Claim] with one conditional PutItem. When the
// condition fails, the item that failed it comes
// back with the error (ReturnValuesOnConditionCheckFailure=ALL_OLD), or is
// read with a consistent GetItem, to tell Done from Busy.
func (d *DynamoDB) Claim(ctx context.Context, k Key, lease time.Duration) (Claim, error) {
	if err := k.Validate(); err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	if err := checkLease(lease); err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	token := newToken()
	for range claimAttempts {
		now := d.now()
		rec := newClaim(token, now, lease, d.ttl)
		_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           &d.table,
			Item:                itemOf(k, &rec),
			ConditionExpression: strPtr(claimCondition),
			ExpressionAttributeNames: map[string]string{
				"#exp": attrExpiresAt, "#state": attrState, "#lease": attrLeaseUntil,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now_s":   num(now.Unix()),
				":now_ms":  num(now.UnixMilli()),
				":claimed": &types.AttributeValueMemberS{Value: stateClaimed},
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			d.own.set(k, token)
			return Claim{Status: Acquired}, nil
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return Claim{}, fmt.Errorf("claim: %w", classify(err))
		}
		item := ccf.Item
		if item == nil {
			out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
				TableName:      &d.table,
				Key:            keyOf(k),
				ConsistentRead: new(true),
			})
			if err != nil {
				return Claim{}, fmt.Errorf("claim: read record: %w", classify(err))
			}
			item = out.Item
		}
		var cur *record
		if item != nil {
			r, err := recordOf(item)
			if err != nil {
				return Claim{}, fmt.Errorf("claim: %w", err)
			}
			cur = &r
		}
		switch judge(cur, d.now()) {
		case done:
			return Claim{Status: Done, Result: cur.result}, nil
		case busy:
			return Claim{Status: Busy}, nil
		}
		// The record went away or went stale after the write lost: try again.
	}
	// Still losing after claimAttempts writes: others keep claiming it.
	return Claim{Status: Busy}, nil
}

// Complete implements [Store.Complete] with an unconditional UpdateItem:
// the delivery happened, so it is recorded even if the claim was lost.
func (d *DynamoDB) Complete(ctx context.Context, k Key, result []byte) error {
	if err := k.Validate(); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	rec := newDone(result, d.now(), d.ttl)
	in := &dynamodb.UpdateItemInput{
		TableName:        &d.table,
		Key:              keyOf(k),
		UpdateExpression: strPtr(completeUpdate),
		ExpressionAttributeNames: map[string]string{
			"#state": attrState, "#exp": attrExpiresAt, "#result": attrResult,
			"#owner": attrOwner, "#lease": attrLeaseUntil,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":done":   &types.AttributeValueMemberS{Value: stateDone},
			":exp":    num(rec.expiresAt),
			":result": &types.AttributeValueMemberB{Value: rec.result},
		},
	}
	if rec.result == nil {
		in.UpdateExpression = strPtr(completeUpdateEmpty)
		delete(in.ExpressionAttributeValues, ":result")
	}
	if _, err := d.client.UpdateItem(ctx, in); err != nil {
		return fmt.Errorf("complete: %w", classify(err))
	}
	if token, ok := d.own.get(k); ok {
		d.own.drop(k, token)
	}
	return nil
}

// Release implements [Store.Release] with a DeleteItem conditioned on the
// owner token of d's claim. It does nothing when d holds
// no claim on k, or when another claimant has taken the claim over.
func (d *DynamoDB) Release(ctx context.Context, k Key) error {
	if err := k.Validate(); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	token, ok := d.own.get(k)
	if !ok {
		return nil
	}
	_, err := d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                &d.table,
		Key:                      keyOf(k),
		ConditionExpression:      strPtr(releaseCondition),
		ExpressionAttributeNames: map[string]string{"#state": attrState, "#owner": attrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":claimed": &types.AttributeValueMemberS{Value: stateClaimed},
			":me":      &types.AttributeValueMemberS{Value: token},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("release: %w", classify(err))
	}
	d.own.drop(k, token)
	return nil
}

func keyOf(k Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: k.EventID},
		attrSK: &types.AttributeValueMemberS{Value: k.Destination},
	}
}

// itemOf returns the item for a claim record.
func itemOf(k Key, r *record) map[string]types.AttributeValue {
	item := keyOf(k)
	item[attrState] = &types.AttributeValueMemberS{Value: r.state}
	item[attrOwner] = &types.AttributeValueMemberS{Value: r.owner}
	item[attrLeaseUntil] = num(r.leaseUntil)
	item[attrExpiresAt] = num(r.expiresAt)
	return item
}

// recordOf reads a record from an item.
func recordOf(item map[string]types.AttributeValue) (record, error) {
	var r record
	s, ok := item[attrState].(*types.AttributeValueMemberS)
	if !ok || (s.Value != stateClaimed && s.Value != stateDone) {
		return r, fmt.Errorf("read record: %w: bad %s", errCorrupt, attrState)
	}
	r.state = s.Value
	if o, ok := item[attrOwner].(*types.AttributeValueMemberS); ok {
		r.owner = o.Value
	}
	var err error
	if r.expiresAt, err = numOf(item, attrExpiresAt); err != nil {
		return r, err
	}
	if r.state == stateClaimed {
		if r.leaseUntil, err = numOf(item, attrLeaseUntil); err != nil {
			return r, err
		}
	}
	if b, ok := item[attrResult].(*types.AttributeValueMemberB); ok {
		r.result = nonEmpty(b.Value)
	}
	return r, nil
}

func numOf(item map[string]types.AttributeValue, name string) (int64, error) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("read record: %w: no %s", errCorrupt, name)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read record: %w: %s: %w", errCorrupt, name, err)
	}
	return v, nil
}

func num(v int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func strPtr(s string) *string { return &s }

// classify wraps err with ErrUnavailable when the store may work again
// later: it could not be reached, timed out, throttled or failed on its side
// (awsx.Throttled or awsx.Unavailable). A missing table, denied access
// or a cancelled context is returned as is.
func classify(err error) error {
	if awsx.Throttled(err) || awsx.Unavailable(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
