package data

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error that comes from bad input rather than
// from the machine: an unknown data set, a malformed captions file, a corrupt
// or unsupported image, an empty caption, a missing image file, a duplicate
// key, bad options. Commands map it to exit status 2.
var ErrInvalid = errors.New("invalid data")

// ErrNotFetched is wrapped by the error of Open for a data set that must be
// downloaded first (see Fetch); such an error wraps ErrInvalid too.
var ErrNotFetched = errors.New("data set not fetched")

// ErrClosed is returned by Loader.Next after Close.
var ErrClosed = errors.New("data: loader closed")

// invalidf returns an error that wraps ErrInvalid.
func invalidf(format string, args ...any) error {
	return &invalidError{fmt.Errorf(format, args...), nil}
}

// notFetchedf returns an error that wraps ErrNotFetched and ErrInvalid.
func notFetchedf(format string, args ...any) error {
	return &invalidError{fmt.Errorf(format, args...), ErrNotFetched}
}

// invalidError wraps ErrInvalid without adding its text to the message.
type invalidError struct{ err, also error }

func (e *invalidError) Error() string { return e.err.Error() }
func (e *invalidError) Unwrap() []error {
	if e.also != nil {
		return []error{e.err, e.also, ErrInvalid}
	}
	return []error{e.err, ErrInvalid}
}
