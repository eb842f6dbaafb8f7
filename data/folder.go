package data

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A folder data set is a directory of images (PNG or JPEG, in
// subdirectories too) and one captions file:
//
//	captions.tsv    one example a line: image<TAB>caption[<TAB>class]; the
//	                image path is relative to the directory; blank lines and
//	                lines that start with # are skipped, and so is a first
//	                line "image<TAB>caption[<TAB>class]" (a header)
//	captions.jsonl  one JSON object a line: {"image": "a.jpg", "caption":
//	                "...", "class": "..."} ("class" optional)
//
// An image may appear on several lines, with different captions. Classes,
// when given, are the zero-shot classes, sorted by name, with the prompts
// "a photo of a {class}." and "{class}". Open checks every line and that
// every image file exists; the errors name the file and line.

type record struct {
	key, caption string
	class        int
	// Folders: the image file; shards: the shard and member.
	path        string
	shard       int
	off, size   int64
	imageMember string
}

type folderSource struct {
	name    string
	dir     string
	recs    []record
	classes []Class
}

type jsonlLine struct {
	Image   *string `json:"image"`
	Caption *string `json:"caption"`
	Class   *string `json:"class"`
}

// OpenFolder opens a directory of images with captions.tsv or
// captions.jsonl.
func OpenFolder(dir string) (Source, error) {
	tsv := filepath.Join(dir, "captions.tsv")
	jsonl := filepath.Join(dir, "captions.jsonl")
	_, errT := os.Stat(tsv)
	_, errJ := os.Stat(jsonl)
	var file string
	switch {
	case errT == nil && errJ == nil:
		return nil, invalidf("%s: both captions.tsv and captions.jsonl: keep one", dir)
	case errT == nil:
		file = tsv
	case errJ == nil:
		file = jsonl
	default:
		return nil, invalidf("%s: no captions.tsv or captions.jsonl (want image<TAB>caption lines or {\"image\": ..., \"caption\": ...} lines)", dir)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	type raw struct {
		line                  int
		image, caption, class string
	}
	var raws []raw
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	ln := 0
	sawLine := false // a line other than blanks and comments
	for sc.Scan() {
		ln++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", file, ln)
		var r raw
		if file == tsv {
			if strings.HasPrefix(text, "#") {
				continue
			}
			first := !sawLine
			sawLine = true
			fields := strings.Split(text, "\t")
			if first && isHeader(fields) {
				continue
			}
			if len(fields) < 2 || len(fields) > 3 {
				return nil, invalidf("%s: %d tab-separated fields, want image<TAB>caption[<TAB>class]", where, len(fields))
			}
			r = raw{line: ln, image: fields[0], caption: fields[1]}
			if len(fields) == 3 {
				r.class = strings.TrimSpace(fields[2])
				if r.class == "" {
					return nil, invalidf("%s: empty class", where)
				}
			}
		} else {
			var j jsonlLine
			if err := json.Unmarshal([]byte(text), &j); err != nil {
				return nil, invalidf("%s: invalid JSON: %v", where, err)
			}
			if j.Image == nil {
				return nil, invalidf("%s: no \"image\" field", where)
			}
			if j.Caption == nil {
				return nil, invalidf("%s: no \"caption\" field", where)
			}
			r = raw{line: ln, image: *j.Image, caption: *j.Caption}
			if j.Class != nil {
				r.class = strings.TrimSpace(*j.Class)
				if r.class == "" {
					return nil, invalidf("%s: empty class", where)
				}
			}
		}
		r.image = strings.TrimSpace(r.image)
		if r.image == "" {
			return nil, invalidf("%s: empty image path", where)
		}
		if strings.TrimSpace(r.caption) == "" {
			return nil, invalidf("%s: empty caption for %s", where, r.image)
		}
		raws = append(raws, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(raws) == 0 {
		return nil, invalidf("%s: no examples", file)
	}

	// Classes: the distinct names, sorted; examples without one get -1, but
	// a file gives all its examples a class or none.
	var names []string
	withClass := 0
	for _, r := range raws {
		if r.class != "" {
			withClass++
			names = append(names, r.class)
		}
	}
	if withClass != 0 && withClass != len(raws) {
		for _, r := range raws {
			if r.class == "" {
				return nil, invalidf("%s:%d: no class, but other lines have one", file, r.line)
			}
		}
	}
	classes, index := classesOf(names)

	s := &folderSource{name: "folder/" + filepath.Base(filepath.Clean(dir)), dir: dir, classes: classes}
	seen := map[string]int{}
	for _, r := range raws {
		where := fmt.Sprintf("%s:%d", file, r.line)
		p := r.image
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, filepath.FromSlash(p))
		}
		if _, ok := seen[r.image]; !ok {
			st, err := os.Stat(p)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil, invalidf("%s: image %s: missing file %s", where, r.image, p)
			case err != nil:
				return nil, fmt.Errorf("%s: image %s: %w", where, r.image, err)
			case st.IsDir():
				return nil, invalidf("%s: image %s is a directory", where, r.image)
			}
			if !imageExt(p) {
				return nil, invalidf("%s: image %s: unsupported format (want .png, .jpg or .jpeg)", where, r.image)
			}
		}
		key := r.image
		if n := seen[r.image]; n > 0 {
			key = r.image + "#" + strconv.Itoa(n)
		}
		seen[r.image]++
		cl := -1
		if r.class != "" {
			cl = index[r.class]
		}
		s.recs = append(s.recs, record{key: key, caption: r.caption, class: cl, path: p})
	}
	return s, nil
}

// isHeader reports whether TSV fields are a header line.
func isHeader(fields []string) bool {
	if len(fields) < 2 {
		return false
	}
	a, b := strings.ToLower(strings.TrimSpace(fields[0])), strings.ToLower(strings.TrimSpace(fields[1]))
	return (a == "image" || a == "file" || a == "filename" || a == "path") && (b == "caption" || b == "text")
}

func imageExt(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// classesOf returns the sorted distinct names as classes (numerically when
// all are integers) and each name's index.
func classesOf(names []string) ([]Class, map[string]int) {
	if len(names) == 0 {
		return nil, nil
	}
	uniq := slices.Clone(names)
	numeric := true
	for _, n := range uniq {
		if _, err := strconv.Atoi(n); err != nil {
			numeric = false
			break
		}
	}
	slices.SortFunc(uniq, func(a, b string) int {
		if numeric {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
		}
		return strings.Compare(a, b)
	})
	uniq = slices.Compact(uniq)
	index := make(map[string]int, len(uniq))
	classes := make([]Class, len(uniq))
	for i, n := range uniq {
		index[n] = i
		classes[i] = Class{Name: n, Prompts: []string{"a photo of a " + n + ".", n}}
	}
	return classes, index
}

func (s *folderSource) Name() string     { return s.name }
func (s *folderSource) Len() int         { return len(s.recs) }
func (s *folderSource) Classes() []Class { return s.classes }
func (s *folderSource) Close() error     { return nil }

func (s *folderSource) Caption(i int) (string, error) {
	if i < 0 || i >= len(s.recs) {
		return "", invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.recs))
	}
	return s.recs[i].caption, nil
}

func (s *folderSource) Example(i int) (Example, error) {
	if i < 0 || i >= len(s.recs) {
		return Example{}, invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.recs))
	}
	r := s.recs[i]
	b, err := os.ReadFile(r.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Example{}, invalidf("%s: missing image file", r.path)
		}
		return Example{}, err
	}
	img, err := decodeBytes(b, r.path)
	if err != nil {
		return Example{}, err
	}
	return Example{Key: r.key, Image: img, Caption: r.caption, Class: r.class}, nil
}
