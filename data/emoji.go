package data

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Emoji data sets come from the npm packages of emoji-data
// (github.com/iamcal/emoji-data): emoji-datasource-google (Noto art,
// Apache-2.0) and emoji-datasource-twitter (Twemoji art, CC-BY-4.0). Each
// ships emoji.json (names, short names, categories, subcategories) and a
// 64x64 PNG per emoji in img/<set>/64/. Fetch installs a package with npm
// into <cache dir>/npm; Open reads it from there.
//
// An example is one emoji (plus, with OpenOptions.SkinTones, one per skin
// tone variant): its caption is the lower-cased name followed by the short
// names that say something else ("father christmas, santa"; variants add
// ", medium skin tone"); its class is its category ("smileys & emotion", the
// default) or subcategory ("face smiling"), chosen by
// OpenOptions.EmojiClasses. Obsolete emoji are left out. The emoji are split
// by a hash of their code points, the same in both packages: "test" holds
// about one in ten, "train" the rest, "all" everything; so one can train on
// google and test on twitter, on seen or unseen emoji.

// EmojiPackage describes the npm package of an emoji data set.
type EmojiPackage struct {
	Package, Version, Set string
}

// EmojiPackages lists the emoji data sets by name. The versions are pinned
// so that a data set is the same on every machine.
var EmojiPackages = map[string]EmojiPackage{
	EmojiGoogle:  {"emoji-datasource-google", "16.0.0", "google"},
	EmojiTwitter: {"emoji-datasource-twitter", "16.0.0", "twitter"},
}

func emojiPackage(name string) (EmojiPackage, error) {
	p, ok := EmojiPackages[name]
	if !ok {
		return EmojiPackage{}, invalidf("unknown emoji data set %q: want %s or %s", name, EmojiGoogle, EmojiTwitter)
	}
	return p, nil
}

// EmojiDir returns the directory where Fetch installs a package.
func EmojiDir(name, cacheDir string) (string, error) {
	p, err := emojiPackage(name)
	if err != nil {
		return "", err
	}
	c, err := CacheDir(cacheDir)
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "npm", "node_modules", p.Package), nil
}

// Fetch downloads a data set into the cache directory ("": see CacheDir).
// The emoji sets (emoji-google, emoji-twitter) run
// `npm install --prefix <cache>/npm <package>@<version>`, with npm's output
// on stdout and stderr; a set that is there already is not fetched again.
func Fetch(name string, cacheDir string, stdout, stderr io.Writer) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	switch name {
	case Shapes:
		fmt.Fprintln(stdout, "shapes: built in, nothing to fetch")
		return nil
	case MNIST:
		dir, err := MNISTDir(cacheDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "mnist: ships with the Go module %s, found in %s\n", gomnistPath, dir)
		return nil
	}
	p, err := emojiPackage(name)
	if err != nil {
		return invalidf("cannot fetch %q: want %s or %s", name, EmojiGoogle, EmojiTwitter)
	}
	dir, err := EmojiDir(name, cacheDir)
	if err != nil {
		return err
	}
	if v, ok := installedVersion(dir); ok && v == p.Version {
		fmt.Fprintf(stdout, "%s: %s@%s is fetched already in %s\n", name, p.Package, p.Version, dir)
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("fetch %s: npm not found in PATH: install Node.js with npm (e.g. apt-get install npm), or copy the npm package %s@%s to %s", name, p.Package, p.Version, dir)
	}
	prefix := filepath.Dir(filepath.Dir(dir)) // <cache>/npm
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	fmt.Fprintf(stdout, "%s: npm install --prefix %s %s@%s\n", name, prefix, p.Package, p.Version)
	cmd := exec.Command(npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-update-notifier", p.Package+"@"+p.Version)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("fetch %s: npm install %s@%s: %w", name, p.Package, p.Version, err)
	}
	if v, ok := installedVersion(dir); !ok || v != p.Version {
		return fmt.Errorf("fetch %s: npm finished but %s has no emoji.json of version %s", name, dir, p.Version)
	}
	fmt.Fprintf(stdout, "%s: fetched into %s\n", name, dir)
	return nil
}

// installedVersion returns the version of the package in dir, if its
// emoji.json is there.
func installedVersion(dir string) (string, bool) {
	if _, err := os.Stat(filepath.Join(dir, "emoji.json")); err != nil {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", false
	}
	var pj struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &pj) != nil {
		return "", false
	}
	return pj.Version, true
}

// emojiJSON is one entry of emoji.json.
type emojiJSON struct {
	Name           string                    `json:"name"`
	Unified        string                    `json:"unified"`
	Image          string                    `json:"image"`
	ShortName      string                    `json:"short_name"`
	ShortNames     []string                  `json:"short_names"`
	Category       string                    `json:"category"`
	Subcategory    string                    `json:"subcategory"`
	SortOrder      int                       `json:"sort_order"`
	ObsoletedBy    string                    `json:"obsoleted_by"`
	HasImgGoogle   bool                      `json:"has_img_google"`
	HasImgTwitter  bool                      `json:"has_img_twitter"`
	SkinVariations map[string]emojiVariation `json:"skin_variations"`
}

type emojiVariation struct {
	Unified       string `json:"unified"`
	Image         string `json:"image"`
	ObsoletedBy   string `json:"obsoleted_by"`
	HasImgGoogle  bool   `json:"has_img_google"`
	HasImgTwitter bool   `json:"has_img_twitter"`
}

func hasImg(set string, google, twitter bool) bool {
	switch set {
	case "google":
		return google
	case "twitter":
		return twitter
	}
	return false
}

var skinTones = map[string]string{
	"1F3FB": "light skin tone",
	"1F3FC": "medium-light skin tone",
	"1F3FD": "medium skin tone",
	"1F3FE": "medium-dark skin tone",
	"1F3FF": "dark skin tone",
}

// emojiEntry is one example of an emoji set.
type emojiEntry struct {
	Key, Image, Caption string
	Unified             string // of the base emoji: decides the split
	Class               int
}

// parseEmoji reads emoji.json for the image set ("google", "twitter"):
// the examples of all splits, in sort order, and the classes ("category" or
// "subcategory").
func parseEmoji(b []byte, set, classesBy string, skinTonesToo bool) ([]emojiEntry, []Class, error) {
	var list []emojiJSON
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, nil, invalidf("emoji.json: %v", err)
	}
	if classesBy == "" {
		classesBy = "category"
	}
	if classesBy != "category" && classesBy != "subcategory" {
		return nil, nil, invalidf("emoji classes %q: want category or subcategory", classesBy)
	}
	slices.SortStableFunc(list, func(a, b emojiJSON) int {
		if c := cmp.Compare(a.SortOrder, b.SortOrder); c != 0 {
			return c
		}
		return strings.Compare(a.Unified, b.Unified)
	})
	var classes []Class
	index := map[string]int{}
	var out []emojiEntry
	for k, e := range list {
		if e.ObsoletedBy != "" {
			continue
		}
		if e.Unified == "" || e.Image == "" {
			return nil, nil, invalidf("emoji.json: entry %d (%q) has no unified code or image", k, e.Name)
		}
		cname := e.Category
		if classesBy == "subcategory" {
			cname = e.Subcategory
		}
		cname = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(cname), "-", " "))
		if cname == "" {
			return nil, nil, invalidf("emoji.json: %s (%q) has no %s", e.Unified, e.Name, classesBy)
		}
		ci, ok := index[cname]
		if !ok {
			ci = len(classes)
			index[cname] = ci
			classes = append(classes, Class{Name: cname, Prompts: []string{"an emoji of " + cname, cname + " emoji", cname}})
		}
		caption := emojiCaption(e)
		if caption == "" {
			return nil, nil, invalidf("emoji.json: %s has no name or short name", e.Unified)
		}
		if hasImg(set, e.HasImgGoogle, e.HasImgTwitter) {
			out = append(out, emojiEntry{Key: strings.TrimSuffix(e.Image, ".png"), Image: e.Image, Caption: caption, Unified: e.Unified, Class: ci})
		}
		if !skinTonesToo {
			continue
		}
		tones := make([]string, 0, len(e.SkinVariations))
		for t := range e.SkinVariations {
			tones = append(tones, t)
		}
		slices.Sort(tones)
		for _, t := range tones {
			v := e.SkinVariations[t]
			if v.ObsoletedBy != "" || v.Image == "" || !hasImg(set, v.HasImgGoogle, v.HasImgTwitter) {
				continue
			}
			var names []string
			for _, code := range strings.Split(t, "-") {
				if n, ok := skinTones[strings.ToUpper(code)]; ok && !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
			c := caption
			if len(names) > 0 {
				c += ", " + strings.Join(names, " and ")
			}
			out = append(out, emojiEntry{Key: strings.TrimSuffix(v.Image, ".png"), Image: v.Image, Caption: c, Unified: e.Unified, Class: ci})
		}
	}
	return out, classes, nil
}

// emojiCaption is the lower-cased name and the short names that add words
// to it, e.g. "father christmas, santa".
func emojiCaption(e emojiJSON) string {
	name := strings.ToLower(strings.Join(strings.Fields(e.Name), " "))
	parts := []string{}
	seen := map[string]bool{}
	if name != "" {
		parts = append(parts, name)
		seen[strings.Join(Words(name), " ")] = true
	}
	shorts := e.ShortNames
	if len(shorts) == 0 && e.ShortName != "" {
		shorts = []string{e.ShortName}
	}
	for _, s := range shorts {
		s = strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(s))
		s = strings.Join(strings.Fields(s), " ")
		w := strings.Join(Words(s), " ")
		if s == "" || seen[w] {
			continue
		}
		seen[w] = true
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// emojiTest reports whether an emoji belongs to the test split.
func emojiTest(unified string) bool {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(strings.ToUpper(unified)) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return mix64(h^saltSplit)%10 == 0
}

type emojiSource struct {
	name    string
	imgDir  string
	entries []emojiEntry
	classes []Class
}

func openEmoji(name string, o OpenOptions) (Source, error) {
	p, err := emojiPackage(name)
	if err != nil {
		return nil, err
	}
	split := o.Split
	switch split {
	case "":
		split = "train"
	case "train", "test", "all":
	default:
		return nil, invalidf("%s: unknown split %q (want train, test or all)", name, o.Split)
	}
	dir, err := EmojiDir(name, o.CacheDir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "emoji.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFetchedf("%s is not fetched (no %s): run `siglip data fetch %s`", name, filepath.Join(dir, "emoji.json"), name)
	}
	if err != nil {
		return nil, err
	}
	all, classes, err := parseEmoji(b, p.Set, o.EmojiClasses, o.SkinTones)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	s := &emojiSource{name: name + "/" + split, imgDir: filepath.Join(dir, "img", p.Set, "64"), classes: classes}
	for _, e := range all {
		if split == "all" || emojiTest(e.Unified) == (split == "test") {
			s.entries = append(s.entries, e)
		}
	}
	if len(s.entries) == 0 {
		return nil, invalidf("%s: no emoji with %s images in %s", s.name, p.Set, dir)
	}
	for _, e := range s.entries {
		if _, err := os.Stat(filepath.Join(s.imgDir, e.Image)); err != nil {
			return nil, invalidf("%s: missing image file %s (%q): fetch the package again (remove %s, then run `siglip data fetch %s`)",
				s.name, filepath.Join(s.imgDir, e.Image), e.Caption, dir, name)
		}
	}
	return s, nil
}

func (s *emojiSource) Name() string     { return s.name }
func (s *emojiSource) Len() int         { return len(s.entries) }
func (s *emojiSource) Classes() []Class { return s.classes }
func (s *emojiSource) Close() error     { return nil }

func (s *emojiSource) Caption(i int) (string, error) {
	if i < 0 || i >= len(s.entries) {
		return "", invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.entries))
	}
	return s.entries[i].Caption, nil
}

func (s *emojiSource) Example(i int) (Example, error) {
	if i < 0 || i >= len(s.entries) {
		return Example{}, invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.entries))
	}
	e := s.entries[i]
	p := filepath.Join(s.imgDir, e.Image)
	b, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Example{}, invalidf("%s: missing image file", p)
		}
		return Example{}, err
	}
	img, err := decodeBytes(b, p)
	if err != nil {
		return Example{}, err
	}
	return Example{Key: e.Key, Image: img, Caption: e.Caption, Class: e.Class}, nil
}
