package crash

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// naiveChain computes h_0 .. h_n the plain way.
func naiveChain(seed []byte, n int) [][32]byte {
	hs := make([][32]byte, n+1)
	hs[n] = sha256.Sum256(seed)
	for i := n; i > 0; i-- {
		hs[i-1] = sha256.Sum256(hs[i][:])
	}
	return hs
}

func TestChain(t *testing.T) {
	for _, n := range []int{1, 2, chainSpan - 1, chainSpan, chainSpan + 1, 2*chainSpan + 17} {
		want := naiveChain(testSeed, n)
		c := NewChain(testSeed, n)
		if c.Terminating() != hex.EncodeToString(want[0][:]) || c.Len() != n || c.Left() != n {
			t.Fatalf("n=%d: terminating %s, want %x", n, c.Terminating(), want[0])
		}
		for k := 1; k <= n; k++ {
			i, h, ok := c.Next()
			if !ok || i != k || h != hex.EncodeToString(want[k][:]) || c.Used() != k {
				t.Fatalf("n=%d: Next %d = %d %s %v, want %x", n, k, i, h, ok, want[k])
			}
			if k <= 5 || k%97 == 0 || k == n {
				// Each round hash hashes forward to the terminating hash, in
				// as many steps as its index.
				if steps, ok := Verify(h, c.Terminating(), n); !ok || steps != k {
					t.Fatalf("n=%d: Verify(h_%d) = %d, %v", n, k, steps, ok)
				}
				if _, ok := Verify(h, c.Terminating(), k-1); ok {
					t.Fatalf("n=%d: h_%d verifies in fewer than %d steps", n, k, k)
				}
			}
		}
		if i, h, ok := c.Next(); ok || i != 0 || h != "" || c.Left() != 0 {
			t.Fatalf("n=%d: Next past the end: %d %q %v", n, i, h, ok)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	c := NewChain(testSeed, 10)
	_, h, _ := c.Next()
	term := c.Terminating()
	tampered := []byte(h)
	tampered[10] ^= 1 // another hex digit
	for _, tc := range []struct{ name, hash, term string }{
		{"Tampered", string(tampered), term},
		{"OtherChain", h, NewChain([]byte("another seed"), 10).Terminating()},
		{"Terminating", term, term},
		{"Short", h[:62], term},
		{"NotHex", "zz" + h[2:], term},
		{"Empty", "", term},
		{"BadTerminating", h, term[:10]},
	} {
		if steps, ok := Verify(tc.hash, tc.term, 1000); ok || steps != 0 {
			t.Errorf("%s: Verify = %d, %v", tc.name, steps, ok)
		}
	}
	if steps, ok := Verify(strings.ToUpper(h), term, 10); !ok || steps != 1 {
		t.Errorf("upper-case hex: %d, %v", steps, ok)
	}
}

func TestChainSkipTo(t *testing.T) {
	want := naiveChain(testSeed, 3000)
	c := NewChain(testSeed, 3000)
	c.Next()
	if err := c.SkipTo(0); err == nil {
		t.Fatal("SkipTo went back")
	}
	if err := c.SkipTo(3001); err == nil {
		t.Fatal("SkipTo went past the end")
	}
	if err := c.SkipTo(2047); err != nil {
		t.Fatal(err)
	}
	if i, h, _ := c.Next(); i != 2048 || h != hex.EncodeToString(want[2048][:]) {
		t.Fatalf("after SkipTo(2047): %d %s", i, h)
	}
	if err := c.SkipTo(3000); err != nil || c.Left() != 0 {
		t.Fatalf("SkipTo(3000): %v, %d left", err, c.Left())
	}
}

func TestNewChainPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewChain(seed, 0) did not panic")
		}
	}()
	NewChain(testSeed, 0)
}
