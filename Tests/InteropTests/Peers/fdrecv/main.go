// fdrecv SOCKET: Go's way of receiving an open file over a unix socket.
//
// It listens on SOCKET, prints "listening on SOCKET" to stderr when ready, accepts one
// connection, reads one message with ReadMsgUnix, takes the single descriptor out of its
// SCM_RIGHTS message (ParseSocketControlMessage, ParseUnixRights) and copies the file, from
// offset 0, to stdout. InteropTests run it against the Swift fd-sender example.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fdrecv SOCKET")
		os.Exit(2)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: os.Args[1], Net: "unix"})
	check(err)
	defer l.Close() // Go unlinks the socket file it created
	fmt.Fprintf(os.Stderr, "listening on %s\n", os.Args[1])

	c, err := l.AcceptUnix()
	check(err)
	defer c.Close()
	buf := make([]byte, 16)
	oob := make([]byte, syscall.CmsgSpace(8*4)) // room for several fds
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	check(err)
	if flags&syscall.MSG_CTRUNC != 0 {
		fail("control data truncated")
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	check(err)
	var fds []int
	for i := range msgs {
		got, err := syscall.ParseUnixRights(&msgs[i])
		check(err)
		fds = append(fds, got...)
	}
	if n != 1 || len(fds) != 1 {
		fail(fmt.Sprintf("got %d data bytes and %d descriptors, want 1 and 1", n, len(fds)))
	}
	f := os.NewFile(uintptr(fds[0]), "received")
	defer f.Close()
	_, err = io.Copy(os.Stdout, io.NewSectionReader(f, 0, 1<<62))
	check(err)
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintf(os.Stderr, "fdrecv: %s\n", msg)
	os.Exit(1)
}
