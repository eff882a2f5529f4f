// Net: Go's net package for Swift, over NetPoll. Built out in the Net issue; see DESIGN.md.
import NetPoll
import Syscall
