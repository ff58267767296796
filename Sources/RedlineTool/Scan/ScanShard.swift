import Crypto
import Foundation

/// `--shard K/N`: this scan takes the files whose stable bucket is K (1-based) of N, so that N
/// machines or N cron jobs split an archive with no coordinator and every file lands in exactly
/// one shard.
///
/// The bucket of a file is `B mod N` + 1, where `B` is the first 8 bytes, read as a big-endian
/// unsigned integer, of the SHA-256 of the UTF-8 bytes of the file's *shard path*:
/// - the path under the scanned folder it was found in (`2019/03/inbox.mbox`), with `/` separators;
/// - for a Maildir message, that path without `cur/` or `new/` and without the `:2,` flags
///   (`Maildir/1700000001.M1P1.host`), so a message that is read or flagged between two shards'
///   runs keeps its shard;
/// - for a file named on the command line, its file name.
///
/// It depends on nothing but those bytes: not on the process, the machine, the walk order or
/// Swift's per-process randomized `Hasher`. In Python: `int.from_bytes(hashlib.sha256(p.encode()).digest()[:8], "big") % N + 1`.
public struct ScanShard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based shard number, `1...count`.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// The largest N accepted (a guard against typos such as `1/30000000`).
    public static let maximumCount = 1_000_000

    /// `2/8` → shard 2 of 8; a message naming the problem otherwise.
    public static func parse(_ text: String) -> Result<ScanShard, ToolMessage> {
        let usage = "--shard takes K/N, whole numbers with 1 ≤ K ≤ N (e.g. 2/8 for the second of eight shards)"
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return .failure(ToolMessage("\(usage), got '\(text)'"))
        }
        guard count >= 1 else { return .failure(ToolMessage("--shard \(text): N must be at least 1")) }
        guard count <= maximumCount else { return .failure(ToolMessage("--shard \(text): N must be at most \(maximumCount)")) }
        guard index >= 1 else {
            return .failure(ToolMessage("--shard \(text): K counts from 1 (shards 1/\(count) to \(count)/\(count) make the whole tree)"))
        }
        guard index <= count else {
            return .failure(ToolMessage("--shard \(text): K must be between 1 and N (\(count)); there is no shard \(index) of \(count)"))
        }
        return .success(ScanShard(index: index, count: count))
    }

    /// The first 8 bytes of SHA-256(path), big-endian.
    public static func hash(_ shardPath: String) -> UInt64 {
        SHA256.hash(data: Array(shardPath.utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// The shard (1...count) a shard path belongs to.
    public static func bucket(of shardPath: String, count: Int) -> Int {
        Int(hash(shardPath) % UInt64(count)) + 1
    }

    public func contains(_ shardPath: String) -> Bool {
        ScanShard.bucket(of: shardPath, count: count) == index
    }
}
