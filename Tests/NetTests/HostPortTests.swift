// Go's TestSplitHostPort and TestJoinHostPort tables (src/net/ip_test.go, Go 1.19), and the full
// error texts of GO-ERROR-STRINGS.md section 4.
import Net
import Testing

@Suite struct HostPortTests {
    @Test func splitHostPort() throws {
        let table: [(String, String, String)] = [
            // Host name
            ("localhost:http", "localhost", "http"),
            ("localhost:80", "localhost", "80"),

            // Go-specific host name with zone identifier
            ("localhost%lo0:http", "localhost%lo0", "http"),
            ("localhost%lo0:80", "localhost%lo0", "80"),
            ("[localhost%lo0]:http", "localhost%lo0", "http"),  // Go 1 behavior
            ("[localhost%lo0]:80", "localhost%lo0", "80"),  // Go 1 behavior

            // IP literal
            ("127.0.0.1:http", "127.0.0.1", "http"),
            ("127.0.0.1:80", "127.0.0.1", "80"),
            ("[::1]:http", "::1", "http"),
            ("[::1]:80", "::1", "80"),

            // IP literal with zone identifier
            ("[::1%lo0]:http", "::1%lo0", "http"),
            ("[::1%lo0]:80", "::1%lo0", "80"),

            // Go-specific wildcard for host name
            (":http", "", "http"),  // Go 1 behavior
            (":80", "", "80"),  // Go 1 behavior

            // Go-specific wildcard for service name or transport port number
            ("golang.org:", "golang.org", ""),  // Go 1 behavior
            ("127.0.0.1:", "127.0.0.1", ""),  // Go 1 behavior
            ("[::1]:", "::1", ""),  // Go 1 behavior

            // Opaque service name
            ("golang.org:https%foo", "golang.org", "https%foo"),  // Go 1 behavior
        ]
        for (hostport, wantHost, wantPort) in table {
            let (host, port) = try Net.splitHostPort(hostport)
            #expect(host == wantHost && port == wantPort, "splitHostPort(\(hostport))")
        }
    }

    @Test func splitHostPortFailures() {
        let table: [(String, String)] = [
            ("golang.org", "missing port in address"),
            ("127.0.0.1", "missing port in address"),
            ("[::1]", "missing port in address"),
            ("[fe80::1%lo0]", "missing port in address"),
            ("[localhost%lo0]", "missing port in address"),
            ("localhost%lo0", "missing port in address"),

            ("::1", "too many colons in address"),
            ("fe80::1%lo0", "too many colons in address"),
            ("fe80::1%lo0:80", "too many colons in address"),

            // Test cases that didn't fail in Go 1
            ("[foo:bar]", "missing port in address"),
            ("[foo:bar]baz", "missing port in address"),
            ("[foo]bar:baz", "missing port in address"),

            ("[foo]:[bar]:baz", "too many colons in address"),

            ("[foo]:[bar]baz", "unexpected '[' in address"),
            ("foo[bar]:baz", "unexpected '[' in address"),

            ("foo]bar:baz", "unexpected ']' in address"),
        ]
        for (hostport, why) in table {
            #expect(throws: AddrError(err: why, addr: hostport), "splitHostPort(\(hostport))") {
                try Net.splitHostPort(hostport)
            }
        }
    }

    /// The whole texts, as GO-ERROR-STRINGS.md section 4 lists them.
    @Test func splitHostPortErrorTexts() {
        let table: [(String, String)] = [
            ("golang.org", "address golang.org: missing port in address"),
            ("::1", "address ::1: too many colons in address"),
            ("[::1]", "address [::1]: missing port in address"),
            ("fe80::1%lo0:80", "address fe80::1%lo0:80: too many colons in address"),
            ("[:80", "address [:80: missing ']' in address"),
            ("[foo]:[bar]baz", "address [foo]:[bar]baz: unexpected '[' in address"),
            ("]:80", "address ]:80: unexpected ']' in address"),
            ("foo]bar:baz", "address foo]bar:baz: unexpected ']' in address"),
            ("[::1]80", "address [::1]80: missing port in address"),
            ("[::1]:80:90", "address [::1]:80:90: too many colons in address"),
            ("", "missing port in address"),
        ]
        for (hostport, text) in table {
            do {
                _ = try Net.splitHostPort(hostport)
                Issue.record("splitHostPort(\(hostport)) did not fail")
            } catch {
                #expect(error.description == text)
                #expect(!error.timeout && !error.temporary)
            }
        }
    }

    @Test func joinHostPort() {
        let table: [(String, String, String)] = [
            // Host name
            ("localhost", "http", "localhost:http"),
            ("localhost", "80", "localhost:80"),

            // Go-specific host name with zone identifier
            ("localhost%lo0", "http", "localhost%lo0:http"),
            ("localhost%lo0", "80", "localhost%lo0:80"),

            // IP literal
            ("127.0.0.1", "http", "127.0.0.1:http"),
            ("127.0.0.1", "80", "127.0.0.1:80"),
            ("::1", "http", "[::1]:http"),
            ("::1", "80", "[::1]:80"),

            // IP literal with zone identifier
            ("::1%lo0", "http", "[::1%lo0]:http"),
            ("::1%lo0", "80", "[::1%lo0]:80"),

            // Go-specific wildcard for host name
            ("", "http", ":http"),  // Go 1 behavior
            ("", "80", ":80"),  // Go 1 behavior

            // Go-specific wildcard for service name or transport port number
            ("golang.org", "", "golang.org:"),  // Go 1 behavior
            ("127.0.0.1", "", "127.0.0.1:"),  // Go 1 behavior
            ("::1", "", "[::1]:"),  // Go 1 behavior

            // Opaque service name
            ("golang.org", "https%foo", "golang.org:https%foo"),  // Go 1 behavior
        ]
        for (host, port, want) in table {
            #expect(Net.joinHostPort(host, port) == want)
        }
    }

    /// Joining and splitting are inverse for every host without brackets.
    @Test func joinThenSplitRoundTrips() throws {
        for host in ["", "localhost", "127.0.0.1", "::1", "fe80::1%eth0", "h\u{e9}llo"] {
            for port in ["", "0", "80", "http"] {
                let (h, p) = try Net.splitHostPort(Net.joinHostPort(host, port))
                #expect(h == host && p == port)
            }
        }
    }
}
