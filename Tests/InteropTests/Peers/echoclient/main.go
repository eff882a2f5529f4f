// echoclient ADDR MESSAGE...: checks an echo server the way Go's net package talks TCP.
//
// For each MESSAGE it writes the bytes and reads back exactly as many with io.ReadFull,
// failing on any difference; it prints each echoed message on its own line. A message written
// "@big:N" is N bytes of a pattern instead, printed as "big N ok": it is written from another
// goroutine while this one reads, so a large echo cannot deadlock on full socket buffers.
// At the end it half-closes (CloseWrite) and expects the server to close too (EOF).
package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: echoclient ADDR MESSAGE...")
		os.Exit(2)
	}
	c, err := net.DialTimeout("tcp", os.Args[1], 5*time.Second)
	check(err)
	defer c.Close()
	check(c.SetDeadline(time.Now().Add(20 * time.Second)))

	for _, arg := range os.Args[2:] {
		msg := []byte(arg)
		big := strings.HasPrefix(arg, "@big:")
		if big {
			n, err := strconv.Atoi(strings.TrimPrefix(arg, "@big:"))
			check(err)
			msg = make([]byte, n)
			for i := range msg {
				msg[i] = byte(i * 7)
			}
		}
		werr := make(chan error, 1)
		go func() { _, err := c.Write(msg); werr <- err }()
		got := make([]byte, len(msg))
		_, err := io.ReadFull(c, got)
		check(err)
		check(<-werr)
		if !bytes.Equal(got, msg) {
			fail(fmt.Sprintf("echo of %d bytes differs", len(msg)))
		}
		if big {
			fmt.Printf("big %d ok\n", len(msg))
		} else {
			fmt.Println(string(got))
		}
	}

	check(c.(*net.TCPConn).CloseWrite())
	n, err := c.Read(make([]byte, 1))
	if err != io.EOF {
		fail(fmt.Sprintf("after CloseWrite: read %d bytes, err %v; want EOF", n, err))
	}
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintf(os.Stderr, "echoclient: %s\n", msg)
	os.Exit(1)
}
