// nethandoff: the tutorial's connection hand-off, Go's side.
//
//	nethandoff adopt SOCKET
//	    Listens on the unix socket SOCKET, prints "listening on SOCKET" on stderr, accepts one
//	    connection and reads one message carrying one descriptor (ReadMsgUnix, UnixRights). It
//	    adopts the descriptor with net.FileConn and prints "adopted TYPE LOCAL <- REMOTE" on
//	    stdout. Then, on the adopted connection, it answers each line with "go answers: LINE"
//	    until end of stream, and closes it.
//
//	nethandoff pass SOCKET
//	    The other way round: listens on TCP 127.0.0.1:0 and prints "listening on ADDR" on
//	    stdout, accepts one connection, answers its first line with "go answers: LINE", then
//	    dials the unix socket SOCKET and sends the connection's descriptor (TCPConn.File,
//	    UnixRights) with one byte, closes its own copies and exits 0.
//
//	nethandoff client ADDRESS MESSAGE...
//	    Dials ADDRESS over TCP and prints "local ADDR". For each MESSAGE it writes the message
//	    and a newline, reads one line back and prints it. Then it half-closes and expects end
//	    of stream.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "adopt":
		adopt(os.Args[2])
	case len(os.Args) == 3 && os.Args[1] == "pass":
		pass(os.Args[2])
	case len(os.Args) >= 3 && os.Args[1] == "client":
		client(os.Args[2], os.Args[3:])
	default:
		fmt.Fprintln(os.Stderr, "usage: nethandoff adopt SOCKET | nethandoff pass SOCKET | nethandoff client ADDRESS MESSAGE...")
		os.Exit(2)
	}
}

func adopt(path string) {
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	check(err)
	defer l.Close()
	check(l.SetDeadline(time.Now().Add(20 * time.Second)))
	fmt.Fprintf(os.Stderr, "listening on %s\n", path)
	u, err := l.AcceptUnix()
	check(err)
	buf := make([]byte, 16)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	_, oobn, flags, _, err := u.ReadMsgUnix(buf, oob)
	check(err)
	u.Close()
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
	if len(fds) != 1 {
		fail(fmt.Sprintf("got %d descriptors, want 1", len(fds)))
	}
	f := os.NewFile(uintptr(fds[0]), "handed-off")
	c, err := net.FileConn(f) // a duplicate: the file can go
	f.Close()
	check(err)
	defer c.Close()
	check(c.SetDeadline(time.Now().Add(20 * time.Second)))
	fmt.Printf("adopted %T %s <- %s\n", c, c.LocalAddr(), c.RemoteAddr())
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			return
		}
		check(err)
		_, err = fmt.Fprintf(c, "go answers: %s", line)
		check(err)
	}
}

func pass(path string) {
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	check(err)
	defer l.Close()
	check(l.SetDeadline(time.Now().Add(20 * time.Second)))
	fmt.Printf("listening on %s\n", l.Addr())
	c, err := l.AcceptTCP()
	check(err)
	defer c.Close()
	check(c.SetDeadline(time.Now().Add(20 * time.Second)))
	// One byte at a time: what follows the first line is not ours to read.
	var line []byte
	b := make([]byte, 1)
	for len(line) == 0 || line[len(line)-1] != '\n' {
		_, err := c.Read(b)
		check(err)
		line = append(line, b[0])
	}
	_, err = fmt.Fprintf(c, "go answers: %s", line)
	check(err)

	f, err := c.File()
	check(err)
	defer f.Close()
	u, err := net.Dial("unix", path)
	check(err)
	defer u.Close()
	n, oobn, err := u.(*net.UnixConn).WriteMsgUnix([]byte{0}, syscall.UnixRights(int(f.Fd())), nil)
	check(err)
	if n != 1 || oobn != syscall.CmsgSpace(4) {
		fail(fmt.Sprintf("sent %d data and %d control bytes", n, oobn))
	}
}

func client(address string, messages []string) {
	c, err := net.DialTimeout("tcp", address, 5*time.Second)
	check(err)
	defer c.Close()
	check(c.SetDeadline(time.Now().Add(20 * time.Second)))
	fmt.Printf("local %s\n", c.LocalAddr())
	r := bufio.NewReader(c)
	for _, m := range messages {
		_, err := fmt.Fprintf(c, "%s\n", m)
		check(err)
		line, err := r.ReadString('\n')
		check(err)
		fmt.Print(line)
	}
	check(c.(*net.TCPConn).CloseWrite())
	if n, err := r.Read(make([]byte, 1)); err != io.EOF {
		fail(fmt.Sprintf("after CloseWrite: read %d bytes, err %v; want EOF", n, err))
	}
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintf(os.Stderr, "nethandoff: %s\n", msg)
	os.Exit(1)
}
