package store

import "testing"

// TestNonceCacheBounded: the reserved nonces of at most maxNonceUsers
// players are kept, however many spin.
func TestNonceCacheBounded(t *testing.T) {
	var c nonceCache
	c.users = make(map[int64]*nonceRange)
	for id := range int64(maxNonceUsers + maxNonceUsers/2) {
		c.putLocked(id, &nonceRange{next: 0, end: nonceBlock})
		if len(c.users) > maxNonceUsers {
			t.Fatalf("%d players kept after %d reservations, want at most %d", len(c.users), id+1, maxNonceUsers)
		}
	}
	if _, ok := c.users[maxNonceUsers+maxNonceUsers/2-1]; !ok {
		t.Fatal("the newest reservation was not kept")
	}
}
