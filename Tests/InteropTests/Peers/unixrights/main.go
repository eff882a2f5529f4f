// unixrights: Go's control-message encoding, byte for byte, for comparison with Swift's.
//
//	unixrights build ITEM...  prints the hex of the concatenated messages, each ITEM one of
//	                          rights:FD,FD,...   syscall.UnixRights(FD...)
//	                          creds:PID,UID,GID  syscall.UnixCredentials(&Ucred{...})
//	unixrights parse HEX      parses with syscall.ParseSocketControlMessage and prints one line
//	                          per message: "rights FD..." (ParseUnixRights), "creds pid=P uid=U
//	                          gid=G" (ParseUnixCredentials) or "other LEVEL TYPE DATAHEX".
//	                          On a parse error it prints "unixrights: ERROR" and exits 1.
package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "build":
		var b []byte
		for _, item := range os.Args[2:] {
			kind, list, _ := strings.Cut(item, ":")
			var nums []int
			for _, s := range strings.Split(list, ",") {
				n, err := strconv.Atoi(s)
				check(err)
				nums = append(nums, n)
			}
			switch kind {
			case "rights":
				b = append(b, syscall.UnixRights(nums...)...)
			case "creds":
				if len(nums) != 3 {
					usage()
				}
				b = append(b, syscall.UnixCredentials(&syscall.Ucred{
					Pid: int32(nums[0]), Uid: uint32(nums[1]), Gid: uint32(nums[2]),
				})...)
			default:
				usage()
			}
		}
		fmt.Println(hex.EncodeToString(b))
	case "parse":
		if len(os.Args) != 3 {
			usage()
		}
		b, err := hex.DecodeString(os.Args[2])
		check(err)
		msgs, err := syscall.ParseSocketControlMessage(b)
		check(err)
		for i := range msgs {
			m := &msgs[i]
			switch {
			case m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_RIGHTS:
				fds, err := syscall.ParseUnixRights(m)
				check(err)
				fmt.Print("rights")
				for _, fd := range fds {
					fmt.Printf(" %d", fd)
				}
				fmt.Println()
			case m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_CREDENTIALS:
				c, err := syscall.ParseUnixCredentials(m)
				check(err)
				fmt.Printf("creds pid=%d uid=%d gid=%d\n", c.Pid, c.Uid, c.Gid)
			default:
				fmt.Printf("other %d %d %s\n", m.Header.Level, m.Header.Type, hex.EncodeToString(m.Data))
			}
		}
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: unixrights build rights:FD,...|creds:PID,UID,GID ... | unixrights parse HEX")
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "unixrights: %v\n", err)
		os.Exit(1)
	}
}
