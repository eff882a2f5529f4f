// netecho: Go's net package as an echo server and an echo client, for any network.
//
//	netecho server NETWORK ADDRESS
//	    Listens (net.Listen for tcp, tcp4, tcp6, unix, unixpacket; net.ListenPacket for udp,
//	    udp4, udp6, unixgram) and prints "listening on ADDR" on stdout when ready. Streams:
//	    one goroutine per connection writes back everything it reads and, at end of stream,
//	    half-closes (CloseWrite) and closes; unixpacket echoes each packet as one packet.
//	    Datagrams: each datagram goes back to its sender. SIGINT or SIGTERM closes the
//	    listener and exits 0.
//
//	netecho client [-local LADDR] NETWORK ADDRESS MESSAGE...
//	    Dials (net.DialUnix with LADDR bound for unixgram) and, for each MESSAGE, sends it and
//	    checks that exactly the same bytes come back, then prints the message on its own line.
//	    Streams (tcp, unix): the echo is read with io.ReadFull. Packets (udp, unixgram,
//	    unixpacket): each message is one packet and must come back as one packet of the same
//	    length (boundaries kept). Special messages:
//	      @big:N    N bytes of a pattern, written from another goroutine while this one reads;
//	                on unixpacket as packets of 32 KiB, each echoed as itself. Prints "big N ok".
//	      @burst:K  (packets) K packets of different lengths sent back to back before any is
//	                read; each must come back intact, in order. Prints "burst K ok".
//	    On streams it then half-closes and expects end of stream (the server closed too).
//
// Any failure prints "netecho: ERROR" on stderr and exits 1.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const packetChunk = 32 * 1024

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "server":
		if len(os.Args) != 4 {
			usage()
		}
		server(os.Args[2], os.Args[3])
	case "client":
		args := os.Args[2:]
		local := ""
		if len(args) >= 2 && args[0] == "-local" {
			local, args = args[1], args[2:]
		}
		if len(args) < 2 {
			usage()
		}
		client(args[0], args[1], local, args[2:])
	default:
		usage()
	}
}

func isPacketNetwork(network string) bool {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
		return true
	}
	return false
}

func server(network, address string) {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	if isPacketNetwork(network) {
		pc, err := net.ListenPacket(network, address)
		check(err)
		fmt.Printf("listening on %s\n", pc.LocalAddr())
		go func() {
			<-stop
			pc.Close()
			if network == "unixgram" && !strings.HasPrefix(address, "@") {
				os.Remove(address) // Go leaves a unixgram socket file behind; we made it
			}
			os.Exit(0)
		}()
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				select {} // closed by the signal handler, which exits
			}
			if from == nil {
				continue // an unnamed unixgram sender cannot be answered
			}
			_, err = pc.WriteTo(buf[:n], from)
			check(err)
		}
	}
	ln, err := net.Listen(network, address)
	check(err)
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		<-stop
		ln.Close() // removes a unix socket file
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			select {}
		}
		go echo(c)
	}
}

func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 65536)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				fmt.Fprintf(os.Stderr, "netecho: %v\n", werr)
				return
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "netecho: %v\n", err)
			return
		}
	}
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := c.(closeWriter); ok {
		cw.CloseWrite()
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}

func client(network, address, local string, messages []string) {
	var c net.Conn
	var err error
	if local != "" {
		var laddr, raddr *net.UnixAddr
		laddr, err = net.ResolveUnixAddr(network, local)
		check(err)
		raddr, err = net.ResolveUnixAddr(network, address)
		check(err)
		c, err = net.DialUnix(network, laddr, raddr)
	} else {
		c, err = net.DialTimeout(network, address, 5*time.Second)
	}
	check(err)
	defer c.Close()
	check(c.SetDeadline(time.Now().Add(20 * time.Second)))

	packets := isPacketNetwork(network) || network == "unixpacket"
	for _, arg := range messages {
		switch {
		case strings.HasPrefix(arg, "@big:"):
			n, err := strconv.Atoi(strings.TrimPrefix(arg, "@big:"))
			check(err)
			if network == "unixpacket" {
				bigPackets(c, pattern(n))
			} else if packets {
				roundTripPacket(c, pattern(n))
			} else {
				roundTripStream(c, pattern(n))
			}
			fmt.Printf("big %d ok\n", n)
		case strings.HasPrefix(arg, "@burst:"):
			k, err := strconv.Atoi(strings.TrimPrefix(arg, "@burst:"))
			check(err)
			burst(c, k)
			fmt.Printf("burst %d ok\n", k)
		default:
			if packets {
				roundTripPacket(c, []byte(arg))
			} else {
				roundTripStream(c, []byte(arg))
			}
			fmt.Println(arg)
		}
	}
	if isPacketNetwork(network) {
		return
	}
	type closeWriter interface{ CloseWrite() error }
	check(c.(closeWriter).CloseWrite())
	n, err := c.Read(make([]byte, 1))
	if err != io.EOF {
		fail(fmt.Sprintf("after CloseWrite: read %d bytes, err %v; want EOF", n, err))
	}
}

// roundTripStream writes msg from another goroutine and reads back exactly as many bytes.
func roundTripStream(c net.Conn, msg []byte) {
	werr := make(chan error, 1)
	go func() { _, err := c.Write(msg); werr <- err }()
	got := make([]byte, len(msg))
	_, err := io.ReadFull(c, got)
	check(err)
	check(<-werr)
	if !bytes.Equal(got, msg) {
		fail(fmt.Sprintf("echo of %d bytes differs", len(msg)))
	}
}

// roundTripPacket sends msg as one packet and expects it back as one packet of the same length.
func roundTripPacket(c net.Conn, msg []byte) {
	n, err := c.Write(msg)
	check(err)
	if n != len(msg) {
		fail(fmt.Sprintf("wrote %d of %d bytes", n, len(msg)))
	}
	got := make([]byte, len(msg)+65536)
	n, err = c.Read(got)
	check(err)
	if !bytes.Equal(got[:n], msg) {
		fail(fmt.Sprintf("sent a packet of %d bytes, got back %d bytes%s", len(msg), n, differs(got[:n], msg)))
	}
}

// bigPackets sends msg as packets of packetChunk bytes from another goroutine; each must come
// back as the same packet.
func bigPackets(c net.Conn, msg []byte) {
	var chunks [][]byte
	for rest := msg; len(rest) > 0; {
		k := packetChunk
		if k > len(rest) {
			k = len(rest)
		}
		chunks = append(chunks, rest[:k])
		rest = rest[k:]
	}
	werr := make(chan error, 1)
	go func() {
		for _, p := range chunks {
			if _, err := c.Write(p); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	got := make([]byte, packetChunk+1024)
	for i, p := range chunks {
		n, err := c.Read(got)
		check(err)
		if !bytes.Equal(got[:n], p) {
			fail(fmt.Sprintf("packet %d: sent %d bytes, got back %d%s", i, len(p), n, differs(got[:n], p)))
		}
	}
	check(<-werr)
}

// burst sends k packets of lengths 1, 2, 3... (each filled with its own index) before reading
// any, then expects each back, intact and in order.
func burst(c net.Conn, k int) {
	var sent [][]byte
	for i := 0; i < k; i++ {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, 1+i*37)
		sent = append(sent, p)
		_, err := c.Write(p)
		check(err)
	}
	got := make([]byte, 65536)
	for i, p := range sent {
		n, err := c.Read(got)
		check(err)
		if !bytes.Equal(got[:n], p) {
			fail(fmt.Sprintf("burst packet %d: sent %d bytes, got back %d%s", i, len(p), n, differs(got[:n], p)))
		}
	}
}

func differs(got, want []byte) string {
	if len(got) == len(want) {
		return " (contents differ)"
	}
	return ""
}

func check(err error) {
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			fail("timed out: " + err.Error())
		}
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintf(os.Stderr, "netecho: %s\n", msg)
	os.Exit(1)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: netecho server NETWORK ADDRESS | netecho client [-local LADDR] NETWORK ADDRESS MESSAGE...")
	os.Exit(2)
}
