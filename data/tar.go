package data

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Webdataset-style tar shards: plain (uncompressed) tar files in which the
// members key.jpg (or key.jpeg, key.png) and key.txt make one example, and
// key.cls, when present, holds its class name (an integer or a word). The key
// is the member's path up to the first dot of its base name; other members
// (key.json, ...) and directories are ignored.
//
// OpenShards indexes the shards once by walking their headers (seeking over
// the images, reading only the small .txt and .cls members), and keeps them
// open to read each image by its offset. Every key must be unique across the
// shards; errors name the shard and member.

// maxTextMember bounds the size of a .txt or .cls member.
const maxTextMember = 1 << 20

type tarSource struct {
	name    string
	paths   []string
	files   []*os.File
	recs    []record
	classes []Class
}

// OpenShards opens the tar shards that pattern names: one .tar file or a
// glob ("data/shard-*.tar"), read in lexical order.
func OpenShards(pattern string) (Source, error) {
	var paths []string
	if strings.ContainsAny(pattern, "*?[") {
		m, err := filepath.Glob(pattern)
		if err != nil {
			return nil, invalidf("tar shards %q: %v", pattern, err)
		}
		if len(m) == 0 {
			return nil, invalidf("tar shards %q: no file matches", pattern)
		}
		paths = m
	} else {
		paths = []string{pattern}
	}
	slices.Sort(paths)
	s := &tarSource{name: "tar/" + filepath.Base(pattern), paths: paths}
	keys := map[string]int{} // key -> shard
	var classNames []string
	withClass := 0
	for k, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			s.Close()
			if errors.Is(err, os.ErrNotExist) {
				return nil, invalidf("tar shard %s: missing file", p)
			}
			return nil, err
		}
		s.files = append(s.files, f)
		recs, names, err := indexShard(f, p)
		if err != nil {
			s.Close()
			return nil, err
		}
		for i := range recs {
			recs[i].shard = k
			if w, dup := keys[recs[i].key]; dup {
				s.Close()
				return nil, invalidf("tar shards: duplicate key %q in %s and %s", recs[i].key, paths[w], p)
			}
			keys[recs[i].key] = k
			if names[i] != "" {
				withClass++
				classNames = append(classNames, names[i])
			}
			s.recs = append(s.recs, recs[i])
		}
	}
	if len(s.recs) == 0 {
		s.Close()
		return nil, invalidf("tar shards %q: no examples (want key.jpg or key.png with key.txt)", pattern)
	}
	if withClass != 0 && withClass != len(s.recs) {
		s.Close()
		return nil, invalidf("tar shards %q: %d of %d examples have a .cls member: give every example a class or none", pattern, withClass, len(s.recs))
	}
	classes, index := classesOf(classNames)
	s.classes = classes
	k := 0
	for i := range s.recs {
		s.recs[i].class = -1
		if withClass > 0 {
			s.recs[i].class = index[classNames[k]]
			k++
		}
	}
	return s, nil
}

// indexShard lists the examples of one shard and their class names.
func indexShard(f *os.File, p string) ([]record, []string, error) {
	var magic [2]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return nil, nil, invalidf("tar shard %s: gzip-compressed shards are not supported: decompress it (gunzip) to a plain .tar", p)
	}
	type sample struct {
		rec        record
		img, txt   bool
		cls        string
		hasCls     bool
		imageMatch string
	}
	samples := map[string]*sample{}
	var order []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, invalidf("tar shard %s: corrupt tar: %v", p, err)
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
		case tar.TypeGNUSparse:
			return nil, nil, invalidf("tar shard %s: %s: sparse files are not supported", p, h.Name)
		default:
			continue // directories, links, ...
		}
		base := path.Base(h.Name)
		dot := strings.IndexByte(base, '.')
		if dot <= 0 {
			continue // no extension, or a hidden file
		}
		key := base[:dot]
		if dir := path.Dir(h.Name); dir != "." && dir != "/" {
			key = dir + "/" + key
		}
		ext := strings.ToLower(base[dot+1:])
		member := fmt.Sprintf("%s: %s", p, h.Name)
		smp := samples[key]
		if smp == nil {
			smp = &sample{}
			samples[key] = smp
			order = append(order, key)
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, nil, err
		}
		switch ext {
		case "jpg", "jpeg", "png":
			if smp.img {
				return nil, nil, invalidf("tar shard %s: duplicate key %q: two images (%s and %s)", p, key, smp.imageMatch, h.Name)
			}
			smp.img, smp.imageMatch = true, h.Name
			smp.rec.off, smp.rec.size, smp.rec.imageMember = off, h.Size, h.Name
		case "txt", "cls":
			if (ext == "txt" && smp.txt) || (ext == "cls" && smp.hasCls) {
				return nil, nil, invalidf("tar shard %s: duplicate member %s", p, h.Name)
			}
			if h.Size > maxTextMember {
				return nil, nil, invalidf("%s: %d bytes, more than %d for a .%s member", member, h.Size, maxTextMember, ext)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, nil, invalidf("%s: corrupt tar: %v", member, err)
			}
			text := strings.TrimSpace(string(bytes.ToValidUTF8(b, []byte("\uFFFD"))))
			if ext == "txt" {
				if text == "" {
					return nil, nil, invalidf("%s: empty caption", member)
				}
				smp.txt, smp.rec.caption = true, text
			} else {
				if text == "" {
					return nil, nil, invalidf("%s: empty class", member)
				}
				smp.hasCls, smp.cls = true, text
			}
		default:
			// Other members of a sample (json, ...) are ignored.
		}
	}
	var recs []record
	var names []string
	for _, key := range order {
		smp := samples[key]
		switch {
		case !smp.img && !smp.txt:
			continue // only ignored members
		case !smp.img:
			return nil, nil, invalidf("tar shard %s: %s has a caption but no image (%s.jpg or %s.png)", p, key, key, key)
		case !smp.txt:
			return nil, nil, invalidf("tar shard %s: %s has an image but no caption (%s.txt)", p, smp.imageMatch, key)
		}
		smp.rec.key = key
		recs = append(recs, smp.rec)
		names = append(names, smp.cls)
	}
	return recs, names, nil
}

func (s *tarSource) Name() string     { return s.name }
func (s *tarSource) Len() int         { return len(s.recs) }
func (s *tarSource) Classes() []Class { return s.classes }

func (s *tarSource) Close() error {
	var first error
	for _, f := range s.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.files = nil
	return first
}

func (s *tarSource) Caption(i int) (string, error) {
	if i < 0 || i >= len(s.recs) {
		return "", invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.recs))
	}
	return s.recs[i].caption, nil
}

func (s *tarSource) Example(i int) (Example, error) {
	if i < 0 || i >= len(s.recs) {
		return Example{}, invalidf("%s: example %d out of range [0, %d)", s.name, i, len(s.recs))
	}
	if s.files == nil {
		return Example{}, fmt.Errorf("%s: closed", s.name)
	}
	r := s.recs[i]
	name := s.paths[r.shard] + ": " + r.imageMember
	b := make([]byte, r.size)
	if _, err := s.files[r.shard].ReadAt(b, r.off); err != nil {
		return Example{}, invalidf("%s: %v", name, err)
	}
	img, err := decodeBytes(b, name)
	if err != nil {
		return Example{}, err
	}
	return Example{Key: r.key, Image: img, Caption: r.caption, Class: r.class}, nil
}
