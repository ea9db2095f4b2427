package ledger

import "time"

// The hash layouts are public (this source is): a forger can compute them.
// Tests that play one use these.

// StoredHashForTest is the hash an entry with this content, version and
// recorded_at stores.
func StoredHashForTest(e Entry, version int, recordedAt time.Time) string {
	e.EffectiveDate = Civil(e.EffectiveDate)
	return storedHash(version, e.contentHash(), recordedAt)
}

// BlockHashForTest is the hash of a block.
func BlockHashForTest(prev string, ids []int64, hashes []string) string {
	return blockHash(prev, ids, hashes)
}
