package testrig

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

func TestSyncBufferConcurrentWrites(t *testing.T) {
	var b SyncBuffer
	const writers, lines = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range lines {
				_, _ = b.Write([]byte{'a' + byte(w), '\n'})
				_ = b.String() // reads while others write
			}
		})
	}
	wg.Wait()
	if got := strings.Count(b.String(), "\n"); got != writers*lines || b.Len() != 2*writers*lines {
		t.Fatalf("%d lines, %d bytes; want %d lines", got, b.Len(), writers*lines)
	}
	for w := range writers {
		if n := bytes.Count(b.Bytes(), []byte{'a' + byte(w), '\n'}); n != lines {
			t.Errorf("writer %d: %d lines, want %d", w, n, lines)
		}
	}
	out := b.Bytes()
	out[0] = 'X'
	if b.String()[0] == 'X' {
		t.Error("Bytes returned the buffer itself, not a copy")
	}
}

func TestSyncBufferAsCommandOutput(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	var b SyncBuffer
	cmd := exec.Command(sh, "-c", "echo out; echo err >&2")
	cmd.Stdout, cmd.Stderr = &b, &b
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, "out\n") || !strings.Contains(got, "err\n") {
		t.Errorf("combined output %q", got)
	}
}
