package siglip

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// stepRecord is the metrics.jsonl line of a training step.
type stepRecord struct {
	Step         int     `json:"step"`
	Loss         float64 `json:"loss"`
	TPrime       float64 `json:"t_prime"`
	T            float64 `json:"t"`
	Bias         float64 `json:"b"`
	LR           float64 `json:"lr"`
	GradNorm     float64 `json:"grad_norm"`
	ImagesPerS   float64 `json:"images_per_s"`
	DataFraction float64 `json:"data_fraction"` // of this session's loop time spent waiting for data
	Elapsed      float64 `json:"elapsed_s"`     // since this session started
}

// evalRecord is the metrics.jsonl line of an evaluation.
type evalRecord struct {
	Step int         `json:"step"`
	Eval *EvalResult `json:"eval"`
}

// metricsLog appends JSON lines to metrics.jsonl.
type metricsLog struct {
	f *os.File
	w *bufio.Writer
}

// openMetrics opens path for appending, first dropping the records of
// steps after `from` (those a resumed run will redo).
func openMetrics(path string, from int) (*metricsLog, error) {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var keep bytes.Buffer
	if from > 0 {
		for _, line := range bytes.Split(old, []byte("\n")) {
			var r struct {
				Step int `json:"step"`
			}
			if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &r) != nil || r.Step > from {
				continue
			}
			keep.Write(line)
			keep.WriteByte('\n')
		}
	}
	if err := writeFileAtomic(path, keep.Bytes()); err != nil {
		return nil, fmt.Errorf("siglip: train: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("siglip: train: %w", err)
	}
	return &metricsLog{f: f, w: bufio.NewWriter(f)}, nil
}

// write appends one record (and flushes it: the log is read while the run
// goes on).
func (l *metricsLog) write(v any) error {
	if l == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	l.w.Write(b)
	l.w.WriteByte('\n')
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("siglip: train: metrics log: %w", err)
	}
	return nil
}

// Close closes the file.
func (l *metricsLog) Close() error {
	if l == nil {
		return nil
	}
	l.w.Flush()
	return l.f.Close()
}

// progress shows the run's progress: a bar with loss, t, b, lr, images/s
// and the ETA on a terminal, else a line every tenth of the run.
type progress struct {
	w           io.Writer
	bar         *progressbar.ProgressBar
	first, last int
	every       int
	start       time.Time
	rate        float64 // smoothed seconds per step
	lastT       time.Time
}

func newProgress(w io.Writer, first, total int) *progress {
	p := &progress{w: w, first: first, last: total, start: time.Now(), lastT: time.Now()}
	p.every = max(1, (total-first)/10)
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(24),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionSetRenderBlankState(true),
		)
		p.bar.Set(first)
	}
	return p
}

func (p *progress) update(r stepRecord) {
	now := time.Now()
	dt := now.Sub(p.lastT).Seconds()
	p.lastT = now
	if p.rate == 0 {
		p.rate = dt
	} else {
		p.rate = 0.9*p.rate + 0.1*dt
	}
	eta := time.Duration(float64(p.last-r.Step) * p.rate * float64(time.Second)).Round(time.Second)
	desc := fmt.Sprintf("loss %.4f  t %.2f  b %.2f  lr %.2e  %.0f img/s  ETA %s", r.Loss, r.T, r.Bias, r.LR, r.ImagesPerS, eta)
	if p.bar != nil {
		p.bar.Describe(desc)
		p.bar.Set(r.Step)
		return
	}
	if (r.Step-p.first)%p.every == 0 || r.Step == p.last {
		fmt.Fprintf(p.w, "step %*d/%d  %s\n", len(fmt.Sprint(p.last)), r.Step, p.last, desc)
	}
}

// println prints a message line above the bar.
func (p *progress) println(s string) {
	if p.bar != nil {
		p.bar.Clear()
		fmt.Fprintln(p.w, s)
		p.bar.RenderBlank()
		return
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// readMetrics parses metrics.jsonl.
func readMetrics(path string) (steps []stepRecord, evals []evalRecord, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.Contains(line, `"eval":`) {
			var e evalRecord
			if json.Unmarshal([]byte(line), &e) == nil && e.Eval != nil {
				evals = append(evals, e)
			}
			continue
		}
		var s stepRecord
		if json.Unmarshal([]byte(line), &s) == nil {
			steps = append(steps, s)
		}
	}
	return steps, evals, nil
}
