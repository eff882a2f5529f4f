// fdsend SOCKET FILE: Go's way of passing an open file over a unix socket.
//
// It opens FILE, dials the unix stream socket at SOCKET and sends one byte whose ancillary data
// is an SCM_RIGHTS message built by syscall.UnixRights. InteropTests run it against the Swift
// fd-receiver example.
package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: fdsend SOCKET FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[2])
	check(err)
	defer f.Close()
	c, err := net.Dial("unix", os.Args[1])
	check(err)
	defer c.Close()
	// A stream socket carries ancillary data only alongside real data: send one byte.
	n, oobn, err := c.(*net.UnixConn).WriteMsgUnix([]byte{0}, syscall.UnixRights(int(f.Fd())), nil)
	check(err)
	if n != 1 || oobn != syscall.CmsgSpace(4) {
		fmt.Fprintf(os.Stderr, "fdsend: sent %d data and %d control bytes\n", n, oobn)
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "fdsend: %v\n", err)
		os.Exit(1)
	}
}
