package hub

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestWriteFramesBatch writes frames of every header length in one batch
// and reads them back with the library's client, in order and intact.
func TestWriteFramesBatch(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 65535, 65536, 70000}
	var msgs [][]byte
	for i, n := range sizes {
		msgs = append(msgs, bytes.Repeat([]byte{'a' + byte(i)}, n))
	}
	served := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr, err := acceptWS(w, r, nil)
		if err != nil {
			served <- err
			return
		}
		fw, ok := tr.(frameWriter)
		if !ok {
			served <- errNotBatched
			return
		}
		served <- fw.WriteFrames(msgs)
		// A control frame after the batch, from the library: its writes and
		// the batches share the connection.
		_ = tr.Close(CloseNormal, "")
	}))
	defer srv.Close()
	c, ctx := dialTest(t, srv)
	c.SetReadLimit(1 << 20)
	if err := <-served; err != nil {
		t.Fatalf("write frames: %v", err)
	}
	for i, want := range msgs {
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("frame %d (%d bytes): %v", i, len(want), err)
		}
		if typ != websocket.MessageText || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: type %v, %d bytes, want text of %d bytes", i, typ, len(got), len(want))
		}
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != CloseNormal {
		t.Fatalf("after the frames: %v, want close %d", err, CloseNormal)
	}
}

// dialTest opens the library's client to srv; the context it returns
// bounds the test's reads.
func dialTest(t *testing.T, srv *httptest.Server) (*websocket.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, ctx
}

type testError string

func (e testError) Error() string { return string(e) }

const errNotBatched = testError("the upgraded socket writes no batches")

// TestAbortUnblocksWrite: a client that stops reading fills the
// connection; Abort (the slow-socket close) ends the stuck write at once.
func TestAbortUnblocksWrite(t *testing.T) {
	stuck := make(chan error, 1)
	aborted := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr, err := acceptWS(w, r, nil)
		if err != nil {
			stuck <- err
			return
		}
		fw := tr.(frameWriter)
		big := [][]byte{bytes.Repeat([]byte("x"), 1<<20)}
		go func() {
			time.Sleep(300 * time.Millisecond)
			fw.Abort()
			close(aborted)
		}()
		var werr error
		for werr == nil {
			werr = fw.WriteFrames(big)
		}
		stuck <- werr
		_ = tr.Close(CloseSlow, "too slow")
	}))
	defer srv.Close()
	c, _ := dialTest(t, srv)
	defer c.CloseNow()
	select {
	case err := <-stuck:
		<-aborted
		if err == nil {
			t.Fatal("the write to a client that does not read never failed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Abort did not end the stuck write")
	}
}
