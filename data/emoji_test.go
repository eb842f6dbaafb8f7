package data

import (
	"bytes"
	"errors"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const emojiSample = `[
 {"name": "SMILING FACE WITH OPEN MOUTH", "unified": "1F603", "image": "1f603.png", "short_name": "smiley",
  "short_names": ["smiley"], "category": "Smileys & Emotion", "subcategory": "face-smiling", "sort_order": 2,
  "has_img_google": true, "has_img_twitter": true},
 {"name": "GRINNING FACE", "unified": "1F600", "image": "1f600.png", "short_names": ["grinning", "grinning_face"],
  "category": "Smileys & Emotion", "subcategory": "face-smiling", "sort_order": 1, "has_img_google": true, "has_img_twitter": false},
 {"name": "FATHER CHRISTMAS", "unified": "1F385", "image": "1f385.png", "short_names": ["santa"],
  "category": "People & Body", "subcategory": "person-fantasy", "sort_order": 5, "has_img_google": true, "has_img_twitter": true,
  "skin_variations": {
   "1F3FD": {"unified": "1F385-1F3FD", "image": "1f385-1f3fd.png", "has_img_google": true, "has_img_twitter": true},
   "1F3FB": {"unified": "1F385-1F3FB", "image": "1f385-1f3fb.png", "has_img_google": true, "has_img_twitter": false},
   "1F3FB-1F3FF": {"unified": "1F385-1F3FB-1F3FF", "image": "1f385-x.png", "has_img_google": true, "has_img_twitter": true}
  }},
 {"name": "OLD THING", "unified": "1F000", "image": "1f000.png", "short_names": ["old"], "category": "Objects",
  "subcategory": "x", "sort_order": 3, "obsoleted_by": "1F603", "has_img_google": true},
 {"name": "Spain Flag", "unified": "1F1EA-1F1F8", "image": "1f1ea-1f1f8.png", "short_names": ["es", "flag-es"],
  "category": "Flags", "subcategory": "country-flag", "sort_order": 4, "has_img_google": true, "has_img_twitter": true}
]`

func TestParseEmoji(t *testing.T) {
	type ex struct{ key, caption, class string }
	tests := []struct {
		set, by string
		tones   bool
		want    []ex
		classes []string
	}{
		{"google", "", false, []ex{
			{"1f600", "grinning face, grinning", "smileys & emotion"},
			{"1f603", "smiling face with open mouth, smiley", "smileys & emotion"},
			{"1f1ea-1f1f8", "spain flag, es, flag es", "flags"},
			{"1f385", "father christmas, santa", "people & body"},
		}, []string{"smileys & emotion", "flags", "people & body"}},
		{"twitter", "subcategory", true, []ex{
			{"1f603", "smiling face with open mouth, smiley", "face smiling"},
			{"1f1ea-1f1f8", "spain flag, es, flag es", "country flag"},
			{"1f385", "father christmas, santa", "person fantasy"},
			{"1f385-x", "father christmas, santa, light skin tone and dark skin tone", "person fantasy"},
			{"1f385-1f3fd", "father christmas, santa, medium skin tone", "person fantasy"},
		}, []string{"face smiling", "country flag", "person fantasy"}},
	}
	for _, tt := range tests {
		entries, classes, err := parseEmoji([]byte(emojiSample), tt.set, tt.by, tt.tones)
		if err != nil {
			t.Fatal(err)
		}
		var got []ex
		for _, e := range entries {
			got = append(got, ex{e.Key, e.Caption, classes[e.Class].Name})
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%s/%s: got %q, want %q", tt.set, tt.by, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s/%s: entry %d = %q, want %q", tt.set, tt.by, i, got[i], tt.want[i])
			}
		}
		var names []string
		for _, c := range classes {
			names = append(names, c.Name)
			if len(c.Prompts) == 0 {
				t.Errorf("class %s has no prompts", c.Name)
			}
		}
		if strings.Join(names, "|") != strings.Join(tt.classes, "|") {
			t.Errorf("%s/%s: classes %q, want %q", tt.set, tt.by, names, tt.classes)
		}
	}
	for _, bad := range []string{`{`, `[{"name": "X", "image": "x.png", "category": "C"}]`, `[{"name": "X", "unified": "1", "image": "x.png"}]`} {
		if _, _, err := parseEmoji([]byte(bad), "google", "", false); !errors.Is(err, ErrInvalid) {
			t.Errorf("parseEmoji(%s): error %v", bad, err)
		}
	}
	if _, _, err := parseEmoji([]byte(emojiSample), "google", "colour", false); err == nil {
		t.Error("classes by colour: no error")
	}
}

// fakeEmojiPackage writes a package with emojiSample into cache as Fetch
// would, and returns its directory.
func fakeEmojiPackage(t *testing.T, cache, name string) string {
	dir, err := EmojiDir(name, cache)
	if err != nil {
		t.Fatal(err)
	}
	p := EmojiPackages[name]
	files := map[string][]byte{
		"emoji.json":   []byte(emojiSample),
		"package.json": []byte(`{"name": "` + p.Package + `", "version": "` + p.Version + `"}`),
	}
	for _, img := range []string{"1f603", "1f600", "1f385", "1f385-1f3fd", "1f385-1f3fb", "1f385-x", "1f1ea-1f1f8"} {
		files["img/"+p.Set+"/64/"+img+".png"] = pngBytes(t, 64, 64, color.RGBA{200, 100, 0, 255})
	}
	writeFiles(t, dir, files)
	return dir
}

func TestEmojiOpen(t *testing.T) {
	cache := t.TempDir()
	_, err := Open(EmojiGoogle, OpenOptions{CacheDir: cache})
	if !errors.Is(err, ErrNotFetched) || !strings.Contains(err.Error(), "siglip data fetch emoji-google") {
		t.Fatalf("not fetched: error %v", err)
	}
	dir := fakeEmojiPackage(t, cache, EmojiGoogle)
	all, err := Open(EmojiGoogle, OpenOptions{CacheDir: cache, Split: "all"})
	if err != nil {
		t.Fatal(err)
	}
	train, _ := Open(EmojiGoogle, OpenOptions{CacheDir: cache})
	test, terr := Open(EmojiGoogle, OpenOptions{CacheDir: cache, Split: "test"})
	nTest := 0
	if terr == nil {
		nTest = test.Len()
	}
	if all.Len() != 4 || train.Len()+nTest != 4 || all.Name() != "emoji-google/all" {
		t.Errorf("all %d, train %d, test %d (%v)", all.Len(), train.Len(), nTest, terr)
	}
	ex, err := all.Example(0)
	if err != nil || ex.Key != "1f600" || ex.Caption != "grinning face, grinning" || ex.Image.Bounds().Dx() != 64 {
		t.Errorf("example 0: %+v, %v", ex, err)
	}
	if _, err := Open(EmojiGoogle, OpenOptions{CacheDir: cache, Split: "val"}); err == nil {
		t.Error("split val: no error")
	}
	// Fetch sees it is there and does not run npm.
	var out bytes.Buffer
	t.Setenv("PATH", "")
	if err := Fetch(EmojiGoogle, cache, &out, &out); err != nil || !strings.Contains(out.String(), "fetched already") {
		t.Errorf("Fetch of a fetched set: %v, %q", err, out.String())
	}
	if err := Fetch(EmojiTwitter, cache, &out, &out); err == nil || !strings.Contains(err.Error(), "npm not found") {
		t.Errorf("Fetch without npm: %v", err)
	}
	if err := Fetch("emoji-apple", cache, &out, &out); !errors.Is(err, ErrInvalid) {
		t.Errorf("Fetch of an unknown set: %v", err)
	}
	os.Remove(filepath.Join(dir, "img", "google", "64", "1f385.png"))
	_, err = Open(EmojiGoogle, OpenOptions{CacheDir: cache, Split: "all"})
	wantError(t, "missing image", err, "1f385.png", "missing image file")
}

// TestEmojiFetch runs the real npm install: with SIGLIP_TEST_NPM=1 or
// CI=true (unless SIGLIP_TEST_NPM=0), and npm in PATH.
func TestEmojiFetch(t *testing.T) {
	switch v := os.Getenv("SIGLIP_TEST_NPM"); {
	case v == "0":
		t.Skip("SIGLIP_TEST_NPM=0")
	case v != "1" && os.Getenv("CI") != "true":
		t.Skip("set SIGLIP_TEST_NPM=1 (or CI=true) to run npm install of emoji-datasource-google")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed")
	}
	cache := os.Getenv("SIGLIP_TEST_NPM_CACHE") // reuse a download across runs
	if cache == "" {
		cache = t.TempDir()
	}
	var out bytes.Buffer
	if err := Fetch(EmojiGoogle, cache, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	out.Reset()
	if err := Fetch(EmojiGoogle, cache, &out, &out); err != nil || !strings.Contains(out.String(), "fetched already") {
		t.Errorf("second Fetch: %v, %q", err, out.String())
	}
	src, err := Open(EmojiGoogle, OpenOptions{CacheDir: cache, Split: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() < 1500 || len(src.Classes()) < 8 {
		t.Errorf("%d emoji, %d classes", src.Len(), len(src.Classes()))
	}
	b := collect(t, src, LoaderOptions{BatchSize: 64, ImageSize: 32, Workers: 2}, 2)
	if b[1].Rows != 64 {
		t.Errorf("%d rows", b[1].Rows)
	}
}
