//go:build !unix

package stack

import "errors"

var errNoUnix = errors.New("needs a unix system")

func testMkfifo(string) error { return errNoUnix }

func testKill(int) {}

func testSignalZero(int) error { return errNoUnix }
