// Go's idiomatic echo server, the baseline SwiftNet is measured against: net.Listen, a
// goroutine per connection, one 64 KiB buffer per connection, Read then Write.
//
//	GO111MODULE=off go build -o go-echo main.go
//	go-echo --network tcp|unix --address ADDR [--mode echo|fdrecv] [--read-timeout SECONDS]
//
// Prints "listening on ADDR" once ready; on SIGINT or SIGTERM closes the listener (which
// removes a unix socket file) and exits 0. Mode fdrecv (unix only): each message is one data
// byte with 1 to 8 fds in SCM_RIGHTS; every fd is closed and one byte acknowledges it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	network := flag.String("network", "tcp", "tcp or unix")
	address := flag.String("address", "127.0.0.1:0", "host:port, or a socket path")
	mode := flag.String("mode", "echo", "echo or fdrecv")
	readTimeout := flag.Float64("read-timeout", 0, "echo only: before every read, set a read deadline this many seconds ahead")
	flag.Parse()

	if *network != "tcp" && *network != "unix" {
		fail("network must be tcp or unix, not %q", *network)
	}
	var handler func(net.Conn)
	switch *mode {
	case "echo":
		timeout := time.Duration(*readTimeout * float64(time.Second))
		handler = func(c net.Conn) { echo(c, timeout) }
	case "fdrecv":
		if *readTimeout > 0 {
			fail("--read-timeout needs mode echo")
		}
		if *network != "unix" {
			fail("mode fdrecv needs network unix")
		}
		handler = fdrecv
	default:
		fail("mode must be echo or fdrecv, not %q", *mode)
	}

	raiseFileLimit()
	ln, err := net.Listen(*network, *address)
	if err != nil {
		fail("%v", err)
	}
	fmt.Printf("listening on %s\n", ln.Addr()) // os.Stdout is unbuffered

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		ln.Close() // a UnixListener removes its socket file
		os.Exit(0)
	}()

	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				select {} // closed by the signal handler, which exits
			}
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				time.Sleep(5 * time.Millisecond) // EMFILE and the like, as net/http backs off
				continue
			}
			fail("%v", err)
		}
		go handler(conn)
	}
}

// echo writes back every byte the client sends, until it closes. With a readTimeout above 0,
// Go's idle-timeout idiom (net/http's): the read deadline moves to now+readTimeout before
// every read, so a client silent that long is dropped.
func echo(c net.Conn, readTimeout time.Duration) {
	defer c.Close()
	buf := make([]byte, 64<<10)
	for {
		if readTimeout > 0 {
			c.SetReadDeadline(time.Now().Add(readTimeout))
		}
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// fdrecv closes the fds each message carries and acknowledges each message with one byte.
func fdrecv(c net.Conn) {
	defer c.Close()
	uc := c.(*net.UnixConn)
	buf := make([]byte, 1)
	oob := make([]byte, syscall.CmsgSpace(8*4))
	ack := []byte{1}
	for {
		n, oobn, _, _, err := uc.ReadMsgUnix(buf, oob)
		if err != nil || (n == 0 && oobn == 0) {
			return
		}
		msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return
		}
		for i := range msgs {
			fds, err := syscall.ParseUnixRights(&msgs[i])
			if err != nil {
				return
			}
			for _, fd := range fds {
				syscall.Close(fd)
			}
		}
		if _, err := uc.Write(ack); err != nil {
			return
		}
	}
}

// raiseFileLimit lifts RLIMIT_NOFILE's soft limit to the hard limit (Go 1.19 does not).
func raiseFileLimit() {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-echo: "+format+"\n", args...)
	os.Exit(2)
}
