package npy

import (
	"fmt"
	"strconv"
	"strings"
)

// header is the parsed header dict of a .npy file.
type header struct {
	descr DType
	shape []int
}

// parseHeader parses the header dict, a small Python literal:
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//
// It accepts either quote style, any whitespace and trailing commas, as
// Python's ast.literal_eval would, and exactly the three keys of the format.
func parseHeader(s string) (header, error) {
	var h header
	if strings.ContainsRune(s, 0) {
		return h, formatErr("NUL byte in the header")
	}
	s = strings.TrimRight(s, " \t\r\n")
	p := &parser{s: s}
	if err := p.expect('{'); err != nil {
		return h, err
	}
	seen := map[string]bool{}
	for {
		p.skipSpace()
		if p.peek() == '}' {
			p.pos++
			break
		}
		key, err := p.str()
		if err != nil {
			return h, formatErr("header %q: dict key: %v", s, err)
		}
		if seen[key] {
			return h, formatErr("header %q: key %q given twice", s, key)
		}
		seen[key] = true
		if err := p.expect(':'); err != nil {
			return h, err
		}
		p.skipSpace()
		switch key {
		case "descr":
			if c := p.peek(); c == '[' || c == '(' || c == '{' {
				return h, formatErr("structured dtypes are not supported (want %s, %s or %s)", Float32, Float64, Int64)
			}
			v, err := p.str()
			if err != nil {
				return h, formatErr("header %q: 'descr': %v", s, err)
			}
			h.descr = DType(v)
			if h.descr.size() == 0 {
				return h, formatErr("unsupported dtype %q (supported: %s float32, %s float64, %s int64)",
					v, Float32, Float64, Int64)
			}
		case "fortran_order":
			v, err := p.ident()
			if err != nil {
				return h, formatErr("header %q: 'fortran_order': %v", s, err)
			}
			switch v {
			case "False":
			case "True":
				return h, formatErr("fortran_order True (column-major) is not supported: save with C order")
			default:
				return h, formatErr("header %q: 'fortran_order' is %s, want True or False", s, v)
			}
		case "shape":
			shape, err := p.tuple()
			if err != nil {
				return h, formatErr("header %q: 'shape': %v", s, err)
			}
			if len(shape) > 2 {
				return h, formatErr("%d-d shape %s is not supported (0-d, 1-d or 2-d only)", len(shape), formatShape(shape))
			}
			h.shape = shape
		default:
			return h, formatErr("header %q: unexpected key %q", s, key)
		}
		p.skipSpace()
		if p.peek() == ',' {
			p.pos++
			continue
		}
		if err := p.expect('}'); err != nil {
			return h, err
		}
		break
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return h, formatErr("header %q: unexpected text after the dict", s)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, formatErr("header %q: missing key %q", s, k)
		}
	}
	return h, nil
}

// parser reads a Python literal.
type parser struct {
	s   string
	pos int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// peek returns the next byte, or 0 at the end.
func (p *parser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *parser) expect(c byte) error {
	p.skipSpace()
	if p.peek() != c {
		return formatErr("header %q: expected %q at offset %d", p.s, c, p.pos)
	}
	p.pos++
	return nil
}

// str reads a quoted string without escapes (none occur in a .npy header).
func (p *parser) str() (string, error) {
	p.skipSpace()
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("expected a string at offset %d", p.pos)
	}
	end := strings.IndexByte(p.s[p.pos+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at offset %d", p.pos)
	}
	v := p.s[p.pos+1 : p.pos+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", fmt.Errorf("escapes in strings are not supported")
	}
	p.pos += end + 2
	return v, nil
}

// ident reads a bare word such as True.
func (p *parser) ident() (string, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", fmt.Errorf("expected a name at offset %d", start)
	}
	return p.s[start:p.pos], nil
}

// tuple reads a tuple of non-negative integers: (), (3,), (3, 4).
func (p *parser) tuple() ([]int, error) {
	p.skipSpace()
	if p.peek() != '(' {
		return nil, fmt.Errorf("expected a tuple at offset %d", p.pos)
	}
	p.pos++
	shape := []int{}
	for {
		p.skipSpace()
		if p.peek() == ')' {
			p.pos++
			// (3) is not a tuple in Python; it needs the comma: (3,).
			return shape, nil
		}
		sign := ""
		if c := p.peek(); c == '-' || c == '+' {
			sign = string(c)
			p.pos++
		}
		w, err := p.ident()
		if err != nil {
			return nil, err
		}
		w = sign + w
		w = strings.TrimSuffix(w, "L") // Python 2 longs in old files
		v, err := strconv.Atoi(w)
		if err != nil || v < 0 || strings.HasPrefix(w, "+") {
			return nil, fmt.Errorf("bad dimension %q", w)
		}
		shape = append(shape, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			if len(shape) == 1 {
				return nil, fmt.Errorf("(%d) is not a tuple: a 1-d shape is written (%d,)", v, v)
			}
		default:
			return nil, fmt.Errorf("expected ',' or ')' at offset %d", p.pos)
		}
	}
}
