//go:build !linux

package checkpoint

import "errors"

var errExchangeUnsupported = errors.New("atomic directory exchange not supported")

func exchange(a, b string) error { return errExchangeUnsupported }
