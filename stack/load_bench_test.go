package stack

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkLoadScale300 is one load of the 300-service scale fixture
// (issue 11, item 12): what the services list waits for on start.
func BenchmarkLoadScale300(b *testing.B) {
	opts := LoadOptions{WorkDir: filepath.Join("..", "testdata", "compose", "scale300"), Env: map[string]string{}}
	b.ReportAllocs()
	for b.Loop() {
		p, err := Load(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Services) != 300 {
			b.Fatalf("%d services", len(p.Services))
		}
	}
}
