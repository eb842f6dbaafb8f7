package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func pngBytes(t testing.TB, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func wantError(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one saying %q", what, parts)
		return
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("%s: error %q does not wrap ErrInvalid", what, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q, want it to say %q", what, err, p)
		}
	}
}

func TestFolder(t *testing.T) {
	red, blue := pngBytes(t, 6, 4, color.RGBA{255, 0, 0, 255}), jpegBytes(t, 8, 8, color.RGBA{0, 0, 255, 255})
	for _, format := range []string{"tsv", "jsonl"} {
		dir := t.TempDir()
		files := map[string][]byte{"red.png": red, "sub/blue.jpg": blue}
		if format == "tsv" {
			files["captions.tsv"] = []byte("# a comment\nimage\tcaption\tclass\nred.png\tA red thing\tred\n\nsub/blue.jpg\ta blue thing\tblue\r\nred.png\tanother red caption\tred\n")
		} else {
			files["captions.jsonl"] = []byte(`{"image": "red.png", "caption": "A red thing", "class": "red"}
{"image": "sub/blue.jpg", "caption": "a blue thing", "class": "blue", "extra": 1}

{"image": "red.png", "caption": "another red caption", "class": "red"}
`)
		}
		writeFiles(t, dir, files)
		src, err := Open(dir, OpenOptions{})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if src.Len() != 3 {
			t.Fatalf("%s: %d examples", format, src.Len())
		}
		cls := src.Classes()
		if len(cls) != 2 || cls[0].Name != "blue" || cls[1].Name != "red" || len(cls[0].Prompts) == 0 {
			t.Errorf("%s: classes %+v", format, cls)
		}
		want := []struct {
			key, caption string
			class, w     int
		}{{"red.png", "A red thing", 1, 6}, {"sub/blue.jpg", "a blue thing", 0, 8}, {"red.png#1", "another red caption", 1, 6}}
		for i, w := range want {
			ex, err := src.Example(i)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Key != w.key || ex.Caption != w.caption || ex.Class != w.class || ex.Image.Bounds().Dx() != w.w {
				t.Errorf("%s: example %d = %q %q %d %v, want %+v", format, i, ex.Key, ex.Caption, ex.Class, ex.Image.Bounds(), w)
			}
		}
		texts, err := CollectTexts(src, 0)
		if err != nil || len(texts) != 3+4 || texts[0] != "A red thing" {
			t.Errorf("%s: CollectTexts %q, %v", format, texts, err)
		}
		b := collect(t, src, LoaderOptions{BatchSize: 3, ImageSize: 4}, 1)[0]
		if b.Rows != 3 || b.Pixels[0] != 1 || b.Pixels[16] != -1 {
			t.Errorf("%s: batch %d rows, pixels %v", format, b.Rows, b.Pixels[:20])
		}
	}
}

func TestFolderErrors(t *testing.T) {
	img := pngBytes(t, 2, 2, color.RGBA{1, 2, 3, 255})
	tests := []struct {
		name  string
		files map[string][]byte
		parts []string
	}{
		{"no captions", map[string][]byte{"a.png": img}, []string{"no captions.tsv or captions.jsonl"}},
		{"both", map[string][]byte{"a.png": img, "captions.tsv": []byte("a.png\tx\n"), "captions.jsonl": []byte("{}\n")}, []string{"both"}},
		{"one field", map[string][]byte{"a.png": img, "captions.tsv": []byte("a.png\tok\na.png\n")}, []string{"captions.tsv:2", "1 tab-separated field"}},
		{"empty caption", map[string][]byte{"a.png": img, "captions.tsv": []byte("a.png\t  \n")}, []string{"captions.tsv:1", "empty caption", "a.png"}},
		{"missing file", map[string][]byte{"a.png": img, "captions.tsv": []byte("a.png\tx\nb.png\ty\n")}, []string{"captions.tsv:2", "b.png", "missing file"}},
		{"unsupported", map[string][]byte{"a.gif": img, "captions.tsv": []byte("a.gif\tx\n")}, []string{"a.gif", "unsupported format"}},
		{"no examples", map[string][]byte{"captions.tsv": []byte("# nothing\n\n")}, []string{"no examples"}},
		{"mixed classes", map[string][]byte{"a.png": img, "captions.tsv": []byte("a.png\tx\tcat\na.png\ty\n")}, []string{"captions.tsv:2", "no class"}},
		{"bad json", map[string][]byte{"a.png": img, "captions.jsonl": []byte("{\"image\": \"a.png\", \"caption\": \"x\"}\n{image: 1}\n")}, []string{"captions.jsonl:2", "invalid JSON"}},
		{"json no caption", map[string][]byte{"a.png": img, "captions.jsonl": []byte("{\"image\": \"a.png\"}\n")}, []string{"captions.jsonl:1", "no \"caption\""}},
		{"json empty caption", map[string][]byte{"a.png": img, "captions.jsonl": []byte("{\"image\": \"a.png\", \"caption\": \"\"}\n")}, []string{"captions.jsonl:1", "empty caption"}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		writeFiles(t, dir, tt.files)
		_, err := Open(dir, OpenOptions{})
		wantError(t, tt.name, err, tt.parts...)
	}
}

// TestFolderBadImages: corrupt and vanished images fail in the loader with
// the file's name.
func TestFolderBadImages(t *testing.T) {
	dir := t.TempDir()
	good := pngBytes(t, 2, 2, color.RGBA{1, 2, 3, 255})
	writeFiles(t, dir, map[string][]byte{
		"good.png": good, "corrupt.png": good[:30], "text.jpg": []byte("not an image"), "gone.png": good,
		"captions.tsv": []byte("good.png\tfine\ncorrupt.png\tbroken\ntext.jpg\tnot an image\ngone.png\tdeleted\n"),
	})
	src, err := Open(dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "gone.png"))
	l, _ := NewLoader(src, LoaderOptions{BatchSize: 1, ImageSize: 2, Workers: 1})
	defer l.Close()
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = l.Next()
	wantError(t, "corrupt", err, "corrupt.png", "corrupt")
	_, err = l.Next()
	wantError(t, "text", err, "text.jpg", "unsupported image format")
	_, err = l.Next()
	wantError(t, "gone", err, "gone.png", "missing image file")
}

type member struct {
	name string
	data []byte
}

func writeTar(t testing.TB, p string, ms []member) {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range ms {
		if strings.HasSuffix(m.name, "/") {
			tw.WriteHeader(&tar.Header{Name: m.name, Typeflag: tar.TypeDir, Mode: 0o755})
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Size: int64(len(m.data)), Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	tw.Close()
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestShards(t *testing.T) {
	dir := t.TempDir()
	red, green := pngBytes(t, 3, 3, color.RGBA{255, 0, 0, 255}), jpegBytes(t, 5, 4, color.RGBA{0, 255, 0, 255})
	writeTar(t, filepath.Join(dir, "shard-000.tar"), []member{
		{"000/", nil},
		{"000/a.png", red}, {"000/a.txt", []byte("a red square\n")}, {"000/a.cls", []byte("7")}, {"000/a.json", []byte("{}")},
		{"000/b.txt", []byte("a green one")}, {"000/b.jpg", green}, {"000/b.cls", []byte("3\n")},
	})
	writeTar(t, filepath.Join(dir, "shard-001.tar"), []member{
		{"c.seg.png", red}, {"c.png", red}, {"c.txt", []byte("another red")}, {"c.cls", []byte("7")}, {".DS_Store", []byte("x")},
	})
	src, err := Open(filepath.Join(dir, "shard-*.tar"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.Len() != 3 {
		t.Fatalf("%d examples", src.Len())
	}
	if cls := src.Classes(); len(cls) != 2 || cls[0].Name != "3" || cls[1].Name != "7" {
		t.Errorf("classes %+v", cls)
	}
	want := []struct {
		key, caption string
		class, w     int
	}{{"000/a", "a red square", 1, 3}, {"000/b", "a green one", 0, 5}, {"c", "another red", 1, 3}}
	for i, w := range want {
		ex, err := src.Example(i)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Key != w.key || ex.Caption != w.caption || ex.Class != w.class || ex.Image.Bounds().Dx() != w.w {
			t.Errorf("example %d = %q %q %d %v, want %+v", i, ex.Key, ex.Caption, ex.Class, ex.Image.Bounds(), w)
		}
	}
	b := collect(t, src, LoaderOptions{BatchSize: 3, ImageSize: 2, Workers: 3}, 2)
	if !slices.Equal(b[1].Keys, []string{"000/a", "000/b", "c"}) || b[0].Pixels[0] != 1 {
		t.Errorf("loader keys %q", b[1].Keys)
	}
	one, err := Open(filepath.Join(dir, "shard-001.tar"), OpenOptions{})
	if err != nil || one.Len() != 1 {
		t.Errorf("one shard: %v", err)
	}
}

func TestShardErrors(t *testing.T) {
	img := pngBytes(t, 2, 2, color.RGBA{1, 2, 3, 255})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("x"))
	zw.Close()
	tests := []struct {
		name   string
		shards map[string][]member
		raw    map[string][]byte
		parts  []string
	}{
		{"no caption", map[string][]member{"s.tar": {{"a.png", img}}}, nil, []string{"s.tar", "a.png", "no caption"}},
		{"no image", map[string][]member{"s.tar": {{"a.txt", []byte("x")}}}, nil, []string{"s.tar", "a", "no image"}},
		{"empty caption", map[string][]member{"s.tar": {{"a.png", img}, {"a.txt", []byte(" \n")}}}, nil, []string{"s.tar", "a.txt", "empty caption"}},
		{"two images", map[string][]member{"s.tar": {{"a.png", img}, {"a.jpg", img}, {"a.txt", []byte("x")}}}, nil, []string{"s.tar", "duplicate key", "a.png", "a.jpg"}},
		{"duplicate member", map[string][]member{"s.tar": {{"a.png", img}, {"a.txt", []byte("x")}, {"a.txt", []byte("y")}}}, nil, []string{"s.tar", "duplicate member a.txt"}},
		{"duplicate key", map[string][]member{"s-0.tar": {{"a.png", img}, {"a.txt", []byte("x")}}, "s-1.tar": {{"a.png", img}, {"a.txt", []byte("y")}}}, nil, []string{"duplicate key", "s-0.tar", "s-1.tar"}},
		{"some classes", map[string][]member{"s.tar": {{"a.png", img}, {"a.txt", []byte("x")}, {"a.cls", []byte("1")}, {"b.png", img}, {"b.txt", []byte("y")}}}, nil, []string{"1 of 2 examples have a .cls"}},
		{"gzip", nil, map[string][]byte{"s.tar": gz.Bytes()}, []string{"s.tar", "gzip"}},
		{"not a tar", nil, map[string][]byte{"s.tar": bytes.Repeat([]byte("garbage!"), 100)}, []string{"s.tar", "corrupt tar"}},
		{"empty", map[string][]member{"s.tar": nil}, nil, []string{"no examples"}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		for name, ms := range tt.shards {
			writeTar(t, filepath.Join(dir, name), ms)
		}
		writeFiles(t, dir, tt.raw)
		src, err := Open(filepath.Join(dir, "s*.tar"), OpenOptions{})
		if src != nil {
			src.Close()
		}
		wantError(t, tt.name, err, tt.parts...)
	}
	_, err := Open(filepath.Join(t.TempDir(), "none-*.tar"), OpenOptions{})
	wantError(t, "no match", err, "no file matches")

	// A corrupt image fails in the loader, naming the shard and member.
	dir := t.TempDir()
	writeTar(t, filepath.Join(dir, "s.tar"), []member{{"a.png", img[:20]}, {"a.txt", []byte("x")}})
	src, err := Open(filepath.Join(dir, "s.tar"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	l, _ := NewLoader(src, LoaderOptions{BatchSize: 1, ImageSize: 2})
	defer l.Close()
	_, err = l.Next()
	wantError(t, "corrupt image", err, "s.tar: a.png", "corrupt")
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, spec := range []string{"", "imagenet", file, filepath.Join(t.TempDir(), "missing")} {
		_, err := Open(spec, OpenOptions{})
		wantError(t, spec, err, "shapes, mnist, emoji-google, emoji-twitter")
	}
}
