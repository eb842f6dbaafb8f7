package data

import "testing"

// BenchmarkLoaderShapes measures batches of 256 scenes at 32 px (the quick
// start's input), releasing each as the trainer does, as float pixels and
// as bytes (the trainer's). cpu-ns/op is the process's CPU time per batch.
func BenchmarkLoaderShapes(b *testing.B) {
	for _, bytes := range []bool{false, true} {
		name := "floats"
		if bytes {
			name = "bytes"
		}
		b.Run(name, func(b *testing.B) {
			src, _ := Open(Shapes, OpenOptions{})
			l, err := NewLoader(src, LoaderOptions{BatchSize: 256, ImageSize: 32, TextLen: 16, Tokenizer: testTokenizer(), Bytes: bytes})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			if _, err := l.Next(); err != nil { // start the workers
				b.Fatal(err)
			}
			c0 := processCPU()
			b.ResetTimer()
			for range b.N {
				batch, err := l.Next()
				if err != nil {
					b.Fatal(err)
				}
				l.Release(batch)
			}
			// The CPU time of all the loader's goroutines: what it takes
			// from a training step on a machine whose cores the step keeps
			// busy.
			b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkPreprocess224 measures the resize of a 640x480 image to 224 px.
func BenchmarkPreprocess224(b *testing.B) {
	img := RenderScene(GenerateScene(1, 1, 480), 480)
	dst := make([]float32, 3*224*224)
	b.ResetTimer()
	for range b.N {
		Preprocess(img, 224, dst)
	}
}
