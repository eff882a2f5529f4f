// NetPoll: Go's internal/poll for SwiftNet (PollFD, FDMutex, the epoll poller).
// Package-internal: Net is its only client. Built out in the Net issue; see DESIGN.md.
import Syscall
