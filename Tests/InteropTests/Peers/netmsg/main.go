// netmsg: the tutorial's message server and sender in Go, with the same protocol as the
// Swift message-server and message-sender examples.
//
//	netmsg server PATH
//	    Listens on the unix socket PATH (or @abstract name) and prints "listening on PATH".
//	    Each connection carries one message: it reads to end of stream, prints
//	    "message: MESSAGE" and answers "received N bytes\n". SIGINT or SIGTERM closes the
//	    listener, which removes the socket file, and exits 0.
//
//	netmsg send PATH MESSAGE
//	    Dials PATH, writes MESSAGE, half-closes (CloseWrite: the end of the message), reads
//	    the acknowledgement to end of stream and prints it as it came.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "server":
		server(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "send":
		send(os.Args[2], os.Args[3])
	default:
		fmt.Fprintln(os.Stderr, "usage: netmsg server PATH | netmsg send PATH MESSAGE")
		os.Exit(2)
	}
}

func server(path string) {
	ln, err := net.Listen("unix", path)
	check(err)
	fmt.Printf("listening on %s\n", ln.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		ln.Close()
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			select {} // closed by the signal handler, which exits
		}
		go func(c net.Conn) {
			defer c.Close()
			msg, err := io.ReadAll(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "netmsg: %v\n", err)
				return
			}
			fmt.Printf("message: %s\n", msg)
			fmt.Fprintf(c, "received %d bytes\n", len(msg))
		}(c)
	}
}

func send(path, message string) {
	c, err := net.Dial("unix", path)
	check(err)
	defer c.Close()
	_, err = c.Write([]byte(message))
	check(err)
	check(c.(*net.UnixConn).CloseWrite())
	ack, err := io.ReadAll(c)
	check(err)
	os.Stdout.Write(ack)
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "netmsg: %v\n", err)
		os.Exit(1)
	}
}
