import Foundation
import RedlineMail
#if canImport(Glibc)
import Glibc
#endif

/// One unit of work: a file read by one worker, start to end.
public struct ScanUnit: Sendable, Equatable {
    public var path: String
    public var mode: InputMode
    public var size: Int
    /// The folder reports group it under: the Maildir for its messages, else the file's directory.
    public var folder: String
    /// A message file inside a Maildir (its identity drops the `:2,` flags).
    public var inMaildir: Bool
    /// The channel a `--channel-map` / `paths:` glob gives it; nil when none matches.
    public var channel: String? = nil
    /// Its 0-based position in the walk of every root before sharding: the order a merge of
    /// shard reports restores (``ScanShard``).
    public var ordinal = 0
}

/// Walks the scan roots into an ordered list of units. The order is the walk order (entries
/// sorted by name, roots as given), so reports come out the same whatever the number of jobs.
public struct ScanPlan: Sendable {
    public var units: [ScanUnit] = []
    /// Roots or entries that could not be read (every shard reports them: any shard may miss files there).
    public var errors: [String] = []
    /// Files skipped because their kind is not recognised (with a shard: those of this shard).
    public var skipped = 0
    /// How many units the walk found before sharding (`units.count` without a shard).
    public private(set) var walked = 0
    public let shard: ScanShard?

    let include: [String]
    let exclude: [String]
    let forced: InputMode?
    let channelMap: [ChannelMapping]
    /// Whether Maildir messages get their sizes (a `stat` each; only a progress bar needs them).
    let measuresMessages: Bool

    public init(roots: [String], include: [String] = [], exclude: [String] = [], input: InputMode? = nil, measuresMessages: Bool = true,
                channelMap: [ChannelMapping] = [], shard: ScanShard? = nil) {
        self.shard = shard
        self.channelMap = channelMap
        self.include = include
        self.exclude = exclude
        self.forced = input
        self.measuresMessages = measuresMessages
        for root in roots {
            let first = units.count
            add(root: root)
            if !channelMap.isEmpty {
                for index in first..<units.count { units[index].channel = channel(for: units[index].path, root: root) }
            }
            if let shard {
                // Ordinals count every unit walked; only this shard's units are kept.
                var kept = first
                for index in first..<units.count {
                    var unit = units[index]
                    unit.ordinal = walked
                    walked += 1
                    if shard.contains(ScanPlan.shardPath(unit, root: root)) {
                        units[kept] = unit
                        kept += 1
                    }
                }
                units.removeSubrange(kept...)
            } else {
                for index in first..<units.count { units[index].ordinal = index }
                walked = units.count
            }
        }
    }

    /// The path a unit is sharded by (``ScanShard``): under its root, Maildir flags and
    /// `cur/`/`new/` dropped; a file named as a root by its name.
    static func shardPath(_ unit: ScanUnit, root: String) -> String {
        let path = unit.inMaildir ? ScanWorker.maildirIdentity(unit.path) : unit.path
        if path == root || !path.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            return (path as NSString).lastPathComponent
        }
        return relative(path, to: root)
    }

    /// The channel of the first mapping whose glob matches the path under its root (or the path as given).
    func channel(for path: String, root: String) -> String? {
        let relative = ScanPlan.relative(path, to: root)
        return channelMap.first { fnmatch($0.pattern, relative, 0) == 0 || fnmatch($0.pattern, path, 0) == 0 }?.channel
    }

    public var totalBytes: Int { units.reduce(0) { $0 + $1.size } }

    private mutating func add(root: String) {
        guard let info = ScanPlan.fileInfo(root) else {
            errors.append("\(root): \(String(cString: strerror(ENOENT)))")
            return
        }
        if info.isDirectory {
            walk(directory: root, root: root)
        } else {
            // A file named on the command line is always scanned (text unless recognised).
            let mode = forced ?? ScanPlan.recognise(path: root) ?? .text
            if mode == .maildir { errors.append("\(root): a Maildir is a folder"); return }
            units.append(ScanUnit(path: root, mode: mode, size: info.size, folder: ScanPlan.parent(root), inMaildir: false))
        }
    }

    private mutating func walk(directory: String, root: String) {
        if ScanPlan.isMaildir(directory) {
            addMaildir(directory, root: root)
            return
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            errors.append("\(directory): cannot list the folder")
            return
        }
        for name in names where !name.hasPrefix(".") {
            let path = ScanPlan.join(directory, name)
            let relative = ScanPlan.relative(path, to: root)
            guard let info = ScanPlan.fileInfo(path, follow: false) else {
                errors.append("\(path): cannot read")
                continue
            }
            if info.isSymlink { continue }   // never follow links out of (or around) the tree
            if exclude.contains(where: { ScanPlan.matches($0, relative: relative, name: name) }) { continue }
            if info.isDirectory {
                walk(directory: path, root: root)
                continue
            }
            guard info.isRegular else { continue }
            if !include.isEmpty && !include.contains(where: { ScanPlan.matches($0, relative: relative, name: name) }) { continue }
            guard let mode = forced ?? ScanPlan.recognise(path: path) else {
                if shard?.contains(relative) ?? true { skipped += 1 }
                continue
            }
            units.append(ScanUnit(path: path, mode: mode, size: info.size, folder: directory, inMaildir: false))
        }
    }

    /// A Maildir: every message in `cur/` and `new/` is a unit; Maildir++ sub-folders (`.Sent`) too.
    private mutating func addMaildir(_ directory: String, root: String) {
        do {
            let filtered = !include.isEmpty || !exclude.isEmpty
            for (path, size) in try MaildirReader.messages(in: directory, sizes: measuresMessages) {
                if filtered {
                    let name = (path as NSString).lastPathComponent
                    let relative = ScanPlan.relative(path, to: root)
                    if exclude.contains(where: { ScanPlan.matches($0, relative: relative, name: name) }) { continue }
                    if !include.isEmpty && !include.contains(where: { ScanPlan.matches($0, relative: relative, name: name) }) { continue }
                }
                units.append(ScanUnit(path: path, mode: forced ?? .eml, size: size, folder: directory, inMaildir: true))
            }
        } catch {
            errors.append("\(directory): \(error)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []
        for name in names where name.hasPrefix(".") && name != "." && name != ".." {
            let path = ScanPlan.join(directory, name)
            if ScanPlan.isMaildir(path) { addMaildir(path, root: root) }
        }
    }

    /// The input kind of a file found in a walk, or nil to skip it: by extension, else by
    /// content (`From ` first line → mbox, a header section → eml).
    static func recognise(path: String) -> InputMode? {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".eml") { return .eml }
        if lower.hasSuffix(".mbox") || lower.hasSuffix(".mbx") { return .mbox }
        if lower.hasSuffix(".txt") { return .text }
        if DocumentInputs.hasDocumentExtension(lower) { return .document }
        let name = (lower as NSString).lastPathComponent
        guard !name.contains(".") else { return nil }
        // No extension (Thunderbird's "Inbox", exported messages): sniff the start.
        guard let handle = FileHandle(forReadingAtPath: path) else { return .text }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 1024)) ?? Data())
        if head.starts(with: Array("From ".utf8)) { return .mbox }
        if DocumentInputs.hasDocumentMagic(head) { return .document }
        if looksLikeHeader(head) { return .eml }
        return nil
    }

    static func looksLikeHeader(_ bytes: [UInt8]) -> Bool {
        guard let lineEnd = bytes.firstIndex(of: 10) else { return false }
        let line = bytes[..<lineEnd]
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        return line[..<colon].allSatisfy { $0 > 32 && $0 < 127 }
    }

    static func isMaildir(_ path: String) -> Bool {
        fileInfo(join(path, "cur"))?.isDirectory == true || fileInfo(join(path, "new"))?.isDirectory == true
    }

    /// fnmatch against the relative path and the name.
    static func matches(_ pattern: String, relative: String, name: String) -> Bool {
        fnmatch(pattern, relative, 0) == 0 || fnmatch(pattern, name, 0) == 0
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func parent(_ path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    static func relative(_ path: String, to root: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    struct Info {
        var isDirectory: Bool
        var isRegular: Bool
        var isSymlink: Bool
        var size: Int
    }

    static func fileInfo(_ path: String, follow: Bool = true) -> Info? {
        var info = Glibc.stat()
        let status = follow ? stat(path, &info) : lstat(path, &info)
        guard status == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        return Info(isDirectory: type == S_IFDIR, isRegular: type == S_IFREG, isSymlink: type == S_IFLNK, size: Int(info.st_size))
    }
}
