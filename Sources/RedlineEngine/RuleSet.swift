import RedlineCore
import RedlinePolicy

/// The policy's rules resolved against its channels: for a channel, which rules apply to which
/// detectors; and the decision for a set of hits.
public struct RuleSet: Sendable {
    public struct Rule: Sendable {
        public let id: String
        /// Detector indices the rule covers.
        public let detectors: Set<Int>
        /// The same indices as flags (index → covered), for the per-hit test in ``RuleSet/decide``.
        let covers: [Bool]
        /// Channel names the rule applies to.
        public let channels: Set<String>
        public let action: Action
        public let minInstances: Int
        public let message: String?
        /// Sender groups the rule applies to; nil for every sender.
        public let senders: Set<String>?
        /// Sender groups the rule does not apply to (`senders: { except: [...] }`).
        public let sendersExcept: Set<String>
        /// Who may override it and how; nil is `override: never`.
        public let override: OverrideSpec?
        /// What the sender can do instead, shown after the message.
        public let tip: String?

        /// Whether the rule covers detector `index`.
        @inline(__always) func covers(_ index: Int) -> Bool { index >= 0 && index < covers.count && covers[index] }

        /// Whether the rule applies to a sender in `groups`.
        func applies(to groups: [String]) -> Bool {
            if groups.contains(where: sendersExcept.contains) { return false }
            guard let senders else { return true }
            return groups.contains(where: senders.contains)
        }
    }

    public let rules: [Rule]
    /// Rules per channel name, in policy order (looked up once per message).
    let byChannel: [String: [Rule]]
    public let channels: [String: ChannelSpec]
    public let channelOrder: [String]
    public let defaultChannel: String
    /// Some rule is scoped to sender groups (otherwise no rule list is filtered per sender).
    let hasSenderScopes: Bool
    /// Per channel name, its rules as the plain values ``decide`` reads (built once, not per call).
    let plans: [String: DecisionPlan]

    init(policy: Policy, detectorIDs: [String]) {
        var channels: [String: ChannelSpec] = [:]
        for channel in policy.channels { channels[channel.name.value] = channel }
        self.channels = channels
        self.channelOrder = policy.channels.map(\.name.value)
        self.defaultChannel = policy.defaultChannel?.value ?? policy.channels.first?.name.value ?? ""
        rules = policy.rules.map { spec in
            let detectors: Set<Int>
            if let names = spec.detectors {
                detectors = Set(names.compactMap { name in detectorIDs.firstIndex(of: name.value) })
            } else {
                detectors = Set(detectorIDs.indices)
            }
            let applies = Set(PolicyValidator.channels(for: spec.channels, in: policy))
            var covers = [Bool](repeating: false, count: detectorIDs.count)
            for index in detectors { covers[index] = true }
            return Rule(id: spec.id.value, detectors: detectors, covers: covers, channels: applies, action: spec.action,
                        minInstances: spec.minInstances, message: spec.message, senders: spec.senders.map { Set($0.map(\.value)) },
                        sendersExcept: Set(spec.sendersExcept.map(\.value)),
                        override: spec.override, tip: spec.tip)
        }
        hasSenderScopes = rules.contains { $0.senders != nil || !$0.sendersExcept.isEmpty }
        var byChannel: [String: [Rule]] = [:]
        for name in channels.keys { byChannel[name] = rules.filter { $0.channels.contains(name) } }
        self.byChannel = byChannel
        plans = byChannel.mapValues(DecisionPlan.init)
    }

    /// Rules that apply on `channel`, in policy order.
    public func rules(on channel: String) -> [Rule] { byChannel[channel] ?? [] }

    /// The most restrictive of two channels: the one whose rules give the stricter action for more
    /// detectors (used for mixed recipients). Ties keep the first.
    public func stricter(_ a: String, _ b: String) -> String {
        func score(_ channel: String) -> [Int] {
            let applying = rules(on: channel)
            var perDetector: [Int: Int] = [:]
            for rule in applying { for detector in rule.detectors { perDetector[detector] = max(perDetector[detector] ?? 0, rule.action.rawValue) } }
            return Action.allCases.reversed().map { action in perDetector.values.filter { $0 == action.rawValue }.count }
        }
        let sa = score(a)
        let sb = score(b)
        if sa == sb {
            let ca = channels[a], cb = channels[b]
            // Prefer external, then unencrypted.
            if (ca?.isExternal ?? false) != (cb?.isExternal ?? false) { return (cb?.isExternal ?? false) ? b : a }
            if (ca?.isEncrypted ?? true) != (cb?.isEncrypted ?? true) { return (cb?.isEncrypted ?? true) ? a : b }
            return a
        }
        return sb.lexicographicallyPrecedes(sa) ? a : b
    }

    /// The policy's strictest channel: ``stricter(_:_:)`` over every channel, in policy order. A
    /// record naming a channel the policy does not have is decided here (`settings.unknown_channel`).
    public var strictestChannel: String {
        channelOrder.dropFirst().reduce(channelOrder.first ?? defaultChannel) { stricter($0, $1) }
    }

    /// The action a failed detector forces on `channel` when it could not finish.
    func failClosedAction(detector: Int, channel: String, mode: FailClosed) -> (Action, String?) {
        if mode == .block { return (.block, nil) }
        var best: (Action, String?) = (.flag, nil)
        for rule in rules(on: channel) where rule.detectors.contains(detector) && rule.action > best.0 {
            best = (rule.action, rule.id)
        }
        return best
    }
}

/// Running state of one message's decisions: distinct values seen per rule, for thresholds.
public struct DecisionState: Sendable {
    var distinct: [String: Set<[UInt8]>] = [:]
    /// How many rules have reached their threshold so far. A count of distinct values only grows,
    /// so a rule once reached stays reached: two decisions with the same count here saw the same
    /// rules reached.
    public internal(set) var thresholdsReached = 0
    public init() {}

    /// Whether `result` (scanned with this state) would be decided the same now: no threshold
    /// was reached since. A caller that decides again once every text of a message has been seen
    /// (thresholds count over the whole message) can skip such a text: scanning it again would
    /// give the same findings and the same decisions.
    public func isFinal(_ result: ScanResult) -> Bool { result.thresholdsReached == thresholdsReached }
}

/// A channel's rules, in policy order, as the plain values ``RuleSet/decide`` reads per hit: no
/// `Rule` (a dozen references) is copied per call.
struct DecisionPlan: Sendable {
    var ids: [String] = []
    var covers: [[Bool]] = []
    var actions: [Action] = []
    var minInstances: [Int] = []
    /// Positions of the rules with a threshold (`min_instances` above 1).
    var thresholds: [Int] = []

    init(_ rules: [RuleSet.Rule]) {
        for (position, rule) in rules.enumerated() {
            ids.append(rule.id)
            covers.append(rule.covers)
            actions.append(rule.action)
            minInstances.append(rule.minInstances)
            if rule.minInstances > 1 { thresholds.append(position) }
        }
    }
}

extension RuleSet {
    /// Decides each hit (detector index, normalised value) on `channel` for `sender`: the strictest
    /// rule that applies to the sender and whose threshold is reached, each rule's action lowered
    /// when the sender's override of it was granted. Thresholds count distinct values over
    /// everything decided so far with the same `state`. `overridden` names the rule (and its
    /// action) that would have decided more strictly without the overrides.
    func decide(_ hits: [(detector: Int, value: [UInt8])], channel: String, sender: SenderContext,
                state: inout DecisionState) -> [(rule: String?, action: Action, overridden: (rule: String, action: Action)?)] {
        if !hasSenderScopes, let plan = plans[channel] { return decide(hits, plan: plan, sender: sender, state: &state) }
        var applying = rules(on: channel)
        if hasSenderScopes { applying = applying.filter { $0.applies(to: sender.groups) } }
        // Thresholds: each rule's distinct values are taken out of the state once, added to, and
        // their count read once (not one dictionary lookup and set copy per hit).
        var distinctCounts = [Int](repeating: 0, count: applying.count)
        for (position, rule) in applying.enumerated() where rule.minInstances > 1 {
            var values = state.distinct.removeValue(forKey: rule.id) ?? []
            let before = values.count
            // Once the threshold is reached it stays reached (the count only grows): no more
            // values need keeping.
            for hit in hits where values.count < rule.minInstances && rule.covers(hit.detector) {
                var key: [UInt8] = []
                key.reserveCapacity(hit.value.count + 1)
                key.append(UInt8(truncatingIfNeeded: hit.detector))
                key.append(contentsOf: hit.value)
                values.insert(key)
            }
            if before < rule.minInstances && values.count >= rule.minInstances { state.thresholdsReached += 1 }
            distinctCounts[position] = values.count
            if !values.isEmpty { state.distinct[rule.id] = values }
        }
        let lowered = sender.lowered
        // Per rule, as plain values: whether its threshold is reached, its action and the action
        // the sender's overrides leave it (the loop below then copies no `Rule` per hit).
        var live: [(id: String, covers: [Bool], action: Action, lowered: Action)] = []
        live.reserveCapacity(applying.count)
        for (position, rule) in applying.enumerated() {
            if rule.minInstances > 1, distinctCounts[position] < rule.minInstances { continue }
            live.append((rule.id, rule.covers, rule.action, lowered.isEmpty ? rule.action : lowered[rule.id] ?? rule.action))
        }
        return hits.map { hit in
            var decision: (rule: Int, action: Action) = (-1, .allow)
            var original: (rule: Int, action: Action) = (-1, .allow)
            let detector = hit.detector
            for position in live.indices {
                let covers = live[position].covers
                guard detector >= 0, detector < covers.count, covers[detector] else { continue }
                let action = live[position].action
                if original.rule < 0 || action > original.action { original = (position, action) }
                let loweredAction = live[position].lowered
                if decision.rule < 0 || loweredAction > decision.action { decision = (position, loweredAction) }
            }
            let rule = decision.rule < 0 ? nil : live[decision.rule].id
            if original.action > decision.action, original.rule >= 0 {
                return (rule, decision.action, (live[original.rule].id, original.action))
            }
            return (rule, decision.action, nil)
        }
    }

    /// ``decide(_:channel:sender:state:)`` on a channel's plan (no rule is scoped to sender groups):
    /// the same decisions, read from plain per-rule arrays. A threshold rule that covers none of
    /// the hits only reads its count from `state`.
    private func decide(_ hits: [(detector: Int, value: [UInt8])], plan: DecisionPlan, sender: SenderContext,
                        state: inout DecisionState) -> [(rule: String?, action: Action, overridden: (rule: String, action: Action)?)] {
        var reached = [Bool](repeating: true, count: plan.ids.count)
        for position in plan.thresholds {
            let id = plan.ids[position], needed = plan.minInstances[position], covers = plan.covers[position]
            let covered = hits.contains { $0.detector >= 0 && $0.detector < covers.count && covers[$0.detector] }
            var count = 0
            if covered {
                var values = state.distinct.removeValue(forKey: id) ?? []
                let before = values.count
                for hit in hits where values.count < needed && hit.detector >= 0 && hit.detector < covers.count && covers[hit.detector] {
                    var key: [UInt8] = []
                    key.reserveCapacity(hit.value.count + 1)
                    key.append(UInt8(truncatingIfNeeded: hit.detector))
                    key.append(contentsOf: hit.value)
                    values.insert(key)
                }
                count = values.count
                if before < needed && count >= needed { state.thresholdsReached += 1 }
                if !values.isEmpty { state.distinct[id] = values }
            } else if !state.distinct.isEmpty {
                count = state.distinct[id]?.count ?? 0
            }
            reached[position] = count >= needed
        }
        let lowered = sender.lowered
        return hits.map { hit in
            var decision: (rule: Int, action: Action) = (-1, .allow)
            var original: (rule: Int, action: Action) = (-1, .allow)
            let detector = hit.detector
            for position in plan.ids.indices where reached[position] {
                let covers = plan.covers[position]
                guard detector >= 0, detector < covers.count, covers[detector] else { continue }
                let action = plan.actions[position]
                if original.rule < 0 || action > original.action { original = (position, action) }
                let loweredAction = lowered.isEmpty ? action : lowered[plan.ids[position]] ?? action
                if decision.rule < 0 || loweredAction > decision.action { decision = (position, loweredAction) }
            }
            let rule = decision.rule < 0 ? nil : plan.ids[decision.rule]
            if original.action > decision.action, original.rule >= 0 {
                return (rule, decision.action, (plan.ids[original.rule], original.action))
            }
            return (rule, decision.action, nil)
        }
    }

    /// The sender-facing message of a rule.
    public func message(for ruleID: String) -> String? { rules.first { $0.id == ruleID }?.message }
}
