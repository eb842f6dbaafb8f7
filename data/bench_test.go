package data

import "testing"

// BenchmarkLoaderShapes measures batches of 256 scenes at 32 px (the quick
// start's input).
func BenchmarkLoaderShapes(b *testing.B) {
	src, _ := Open(Shapes, OpenOptions{})
	tok := testTokenizer()
	l, err := NewLoader(src, LoaderOptions{BatchSize: 256, ImageSize: 32, TextLen: 16, Tokenizer: tok})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := l.Next(); err != nil {
			b.Fatal(err)
		}
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
