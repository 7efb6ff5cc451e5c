package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Hex;
import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The billing API the gateway calls: accounts and API keys, the dev faucet, prices, escrow holds and
 * settlements. Holds, settlements and releases from many requests are batched into one operator-signed
 * transaction each per round (one signature for thousands of items), and a round is proposed as soon as the
 * previous one is on its way, so a settlement is in a committed block well within a second.
 *
 * <p>All amounts are micro-units; FLOPs are exact counts from the engine's FLOP accounting.
 */
public final class Billing implements AutoCloseable {
    /** Most items in one batched transaction (keeps a proposal well under the Raft message limit). */
    static final int MAX_ITEMS_PER_TX = 10_000;
    /** Spending cap a dev account gives the gateway operator when created here. */
    public static final long DEV_AUTHORIZATION_CAP = Long.MAX_VALUE / 4;

    private final Ledger ledger;
    private final Identity operator;
    private final Path accountsDir;
    private final Path apiKeyFile;
    private final AtomicLong nonce;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, PublicKey> apiKeys = new ConcurrentHashMap<>(); // sha256(api key) hex -> account
    private final LinkedBlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final Semaphore inFlight = new Semaphore(4);
    private final Object signLock = new Object();
    private final Thread flusher;
    private volatile boolean closed;

    /** Uses the ledger's operator key ({@link Ledger#operator()}); API keys and dev account keys live in its data directory. */
    public Billing(Ledger ledger) {
        if (ledger.operator() == null) throw new LedgerException("billing needs a ledger opened with an operator key");
        this.ledger = ledger;
        this.operator = ledger.operator();
        this.accountsDir = ledger.dataDir().resolve("accounts");
        this.apiKeyFile = ledger.dataDir().resolve("api-keys");
        this.nonce = new AtomicLong(ledger.nextNonce(operator.publicKey()) - 1);
        loadApiKeys();
        this.flusher = Thread.ofPlatform().daemon().name("billing-flusher").start(this::flushLoop);
    }

    // ------------------------------------------------------------------------------------ accounts and keys

    /** A new account and its API key. */
    public record NewAccount(PublicKey account, String apiKey) {}

    /**
     * Creates a development account: a fresh key pair (saved under {@code accounts/}, permissions 600) that
     * authorises the gateway operator to place holds on it, plus an API key mapped to it.
     */
    public NewAccount createAccount() {
        Identity user = Identity.generate();
        try {
            user.save(accountsDir.resolve(user.publicKeyHex() + ".key"));
        } catch (IOException e) {
            throw new LedgerException(accountsDir + ": cannot save account key: " + e.getMessage(), e);
        }
        TxResult r = ledger.submitAndWait(Transaction.sign(user, 1, "authorize-operator".getBytes(StandardCharsets.UTF_8),
                new Body.Authorize(operator.publicKey(), DEV_AUTHORIZATION_CAP)));
        if (!r.ok()) throw new LedgerException("cannot authorize the gateway for the new account: " + r.reason());
        return new NewAccount(user.publicKey(), createApiKey(user.publicKey()));
    }

    /** A new API key for an existing account (the key itself is shown once; only its hash is stored). */
    public String createApiKey(PublicKey account) {
        byte[] raw = new byte[24];
        random.nextBytes(raw);
        String key = "brd_" + Hex.encode(raw);
        String digest = Hashes.sha256(key.getBytes(StandardCharsets.UTF_8)).hex();
        try {
            Files.writeString(apiKeyFile, digest + " " + account.hex() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new LedgerException(apiKeyFile + ": cannot store API key: " + e.getMessage(), e);
        }
        apiKeys.put(digest, account);
        return key;
    }

    /** The account an API key maps to. */
    public Optional<PublicKey> accountForApiKey(String apiKey) {
        if (apiKey == null) return Optional.empty();
        return Optional.ofNullable(apiKeys.get(Hashes.sha256(apiKey.strip().getBytes(StandardCharsets.UTF_8)).hex()));
    }

    private void loadApiKeys() {
        if (!Files.exists(apiKeyFile)) return;
        try {
            int n = 0;
            for (String line : Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8)) {
                n++;
                String l = line.strip();
                if (l.isEmpty()) continue;
                String[] parts = l.split(" ");
                if (parts.length != 2) throw new LedgerException(apiKeyFile + ":" + n + ": expected '<sha256> <account>'");
                apiKeys.put(parts[0], PublicKey.ofHex(parts[1]));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new LedgerException(apiKeyFile + ": unreadable: " + e.getMessage(), e);
        }
    }

    /** Dev faucet: mints {@code amount} micro-units to {@code to} (the operator is the dev chain's minter). */
    public TxResult faucet(PublicKey to, long amount) {
        TxResult r = submitAsOperator(new Body.Mint(to, amount)).join();
        if (!r.ok()) throw new LedgerException("faucet refused: " + r.reason());
        return r;
    }

    /** Signs {@code body} with the operator key and the next operator nonce, and submits it. */
    public CompletableFuture<TxResult> submitAsOperator(Body body) {
        Transaction t;
        synchronized (signLock) { // nonce order = queue order
            t = Transaction.sign(operator, nonce.incrementAndGet(), new byte[0], body);
            return ledger.submitSignedHere(t);
        }
    }

    // ------------------------------------------------------------------------------------------------ prices

    /** Current prices (micro-units per TFLOP) at {@code height}. */
    public record Prices(long costPerTflop, long marginPpm, long pricePerTflop, long burnSharePpm, long minStake, long height) {}

    public Prices prices() {
        Params p = ledger.params();
        return new Prices(p.costPerTflop(), p.marginPpm(), p.pricePerTflop(), p.burnSharePpm(), p.minStake(), ledger.height());
    }

    /** What {@code flops} cost the user at current prices: ceil(flops × price / 1e12). Use for worst-case holds. */
    public long costOf(long flops) {
        return Amounts.charge(flops, ledger.params().pricePerTflop());
    }

    /** Registered, not slashed, and its owner stakes at least the minimum: only these nodes may be scheduled. */
    public boolean isEligible(PublicKey node) {
        return ledger.isEligible(node);
    }

    // ------------------------------------------------------------------------------------------------ escrow

    /** A placed hold. */
    public record HoldReceipt(Hash32 holdId, PublicKey payer, long amount, Hash32 txId, long height) {}

    /** A settled request: the user's charge split into node rewards, protocol fee and burn (charge = Σ rewards + fee + burn). */
    public record Settlement(Hash32 holdId, PublicKey payer, long flops, long pricePerTflop, long charge, long released,
                             List<Effect.NodeReward> rewards, long fee, long burn, Hash32 txId, long height) {}

    /** A hold released without charge. */
    public record Release(Hash32 holdId, long amount, Hash32 txId, long height) {}

    private sealed interface Item {}

    private record HoldItem(Body.Hold hold, CompletableFuture<HoldReceipt> f) implements Item {}

    private record SettleItem(Body.Settlement s, CompletableFuture<Settlement> f) implements Item {}

    private record ReleaseItem(Hash32 holdId, CompletableFuture<Release> f) implements Item {}

    /**
     * Holds {@code maxCost} of {@code account}'s funds in escrow for a request. Fails with
     * {@link InsufficientFundsException} if the balance (or the account's authorisation of the gateway) is short.
     */
    public CompletableFuture<HoldReceipt> hold(PublicKey account, long maxCost) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return hold(new Hash32(id), account, maxCost);
    }

    /** As {@link #hold(PublicKey, long)} with a caller-chosen, never reused hold id (e.g. derived from a receipt id). */
    public CompletableFuture<HoldReceipt> hold(Hash32 holdId, PublicKey account, long maxCost) {
        if (maxCost <= 0) return CompletableFuture.failedFuture(new IllegalArgumentException("hold amount must be positive, got " + maxCost));
        CompletableFuture<HoldReceipt> f = new CompletableFuture<>();
        enqueue(new HoldItem(new Body.Hold(holdId, account, maxCost), f), f);
        return f;
    }

    /**
     * Settles a hold: charges the FLOPs each node computed at the current price, credits each node's owner at the
     * cost rate, pays the fee to the treasury, burns the burn share and releases the rest of the hold.
     */
    public CompletableFuture<Settlement> settle(Hash32 holdId, List<Body.NodeWork> work) {
        CompletableFuture<Settlement> f = new CompletableFuture<>();
        enqueue(new SettleItem(new Body.Settlement(holdId, work), f), f);
        return f;
    }

    /**
     * Releases every hold this operator still has open. Call it when a gateway starts, before it serves: none of its
     * requests are in flight then, so an open hold can only be one a crash orphaned, and the payer gets it back
     * instead of leaving it in escrow forever. Returns how many holds were released.
     */
    public int releaseOrphanedHolds() {
        List<Hash32> open = ledger.openHolds(operator.publicKey());
        List<CompletableFuture<Release>> releases = open.stream().map(this::release).toList();
        CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).join();
        return open.size();
    }

    /** Releases a hold without charge (the request failed before any compute). */
    public CompletableFuture<Release> release(Hash32 holdId) {
        CompletableFuture<Release> f = new CompletableFuture<>();
        enqueue(new ReleaseItem(holdId, f), f);
        return f;
    }

    private void enqueue(Item it, CompletableFuture<?> f) {
        if (closed) f.completeExceptionally(new LedgerException("billing is closed"));
        else items.add(it);
    }

    private void flushLoop() {
        List<Item> batch = new ArrayList<>();
        while (!closed) {
            try {
                Item first = items.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                inFlight.acquire();
                batch.clear();
                batch.add(first);
                items.drainTo(batch, 3 * MAX_ITEMS_PER_TX - 1);
                List<HoldItem> hs = new ArrayList<>();
                List<SettleItem> ss = new ArrayList<>();
                List<ReleaseItem> rs = new ArrayList<>();
                for (Item i : batch) {
                    switch (i) {
                        case HoldItem h -> hs.add(h);
                        case SettleItem s -> ss.add(s);
                        case ReleaseItem r -> rs.add(r);
                    }
                }
                List<CompletableFuture<?>> all = new ArrayList<>();
                for (List<HoldItem> chunk : chunks(hs)) all.add(submitHolds(chunk));
                for (List<SettleItem> chunk : chunks(ss)) all.add(submitSettles(chunk));
                for (List<ReleaseItem> chunk : chunks(rs)) all.add(submitReleases(chunk));
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((x, e) -> inFlight.release());
            } catch (InterruptedException e) {
                break;
            }
        }
        Item i;
        LedgerException le = new LedgerException("billing closed before the item was submitted");
        while ((i = items.poll()) != null) {
            switch (i) {
                case HoldItem h -> h.f().completeExceptionally(le);
                case SettleItem s -> s.f().completeExceptionally(le);
                case ReleaseItem r -> r.f().completeExceptionally(le);
            }
        }
    }

    private static <T> List<List<T>> chunks(List<T> l) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i += MAX_ITEMS_PER_TX) out.add(l.subList(i, Math.min(l.size(), i + MAX_ITEMS_PER_TX)));
        return out;
    }

    private CompletableFuture<TxResult> submitHolds(List<HoldItem> hs) {
        List<Body.Hold> body = new ArrayList<>(hs.size());
        for (HoldItem h : hs) body.add(h.hold());
        return submitAsOperator(new Body.EscrowHold(body)).whenComplete((r, e) -> {
            for (int i = 0; i < hs.size(); i++) {
                HoldItem h = hs.get(i);
                if (e != null) h.f().completeExceptionally(e);
                else if (!r.ok()) h.f().completeExceptionally(new LedgerException("hold batch rejected: " + r.reason()));
                else {
                    Effect f = r.effects().get(i);
                    switch (f) {
                        case Effect.HoldPlaced p -> h.f().complete(new HoldReceipt(p.holdId(), p.payer(), p.amount(), r.txId(), r.height()));
                        case Effect.ItemSkipped s when s.reason().startsWith("insufficient funds") || s.reason().contains("authorization") ->
                                h.f().completeExceptionally(new InsufficientFundsException(s.reason()));
                        case Effect.ItemSkipped s -> h.f().completeExceptionally(new LedgerException("hold refused: " + s.reason()));
                        default -> h.f().completeExceptionally(new LedgerException("unexpected hold outcome " + f));
                    }
                }
            }
        });
    }

    private CompletableFuture<TxResult> submitSettles(List<SettleItem> ss) {
        List<Body.Settlement> body = new ArrayList<>(ss.size());
        for (SettleItem s : ss) body.add(s.s());
        return submitAsOperator(new Body.EscrowCharge(body)).whenComplete((r, e) -> {
            if (e != null || !r.ok()) {
                Throwable t = e != null ? e : new LedgerException("settlement batch rejected: " + r.reason());
                for (SettleItem s : ss) s.f().completeExceptionally(t);
                return;
            }
            List<Effect> fx = r.effects();
            int c = 0;
            for (int i = 0; i < ss.size(); i++) {
                SettleItem s = ss.get(i);
                Effect f = c < fx.size() ? fx.get(c) : null;
                if (f instanceof Effect.ItemSkipped sk && sk.index() == i) {
                    s.f().completeExceptionally(new LedgerException("settlement refused: " + sk.reason()));
                    c++;
                    continue;
                }
                if (!(f instanceof Effect.Charged ch)) {
                    s.f().completeExceptionally(new LedgerException("unexpected settlement outcome " + f));
                    continue;
                }
                c++;
                List<Effect.NodeReward> rewards = new ArrayList<>();
                while (c < fx.size() && fx.get(c) instanceof Effect.NodeReward nr) {
                    rewards.add(nr);
                    c++;
                }
                long fee = ((Effect.ProtocolFee) fx.get(c++)).amount();
                long burn = ((Effect.Burned) fx.get(c++)).amount();
                s.f().complete(new Settlement(ch.holdId(), ch.payer(), ch.flops(), ch.pricePerTflop(), ch.charge(), ch.released(),
                        rewards, fee, burn, r.txId(), r.height()));
            }
        });
    }

    private CompletableFuture<TxResult> submitReleases(List<ReleaseItem> rs) {
        List<Hash32> body = new ArrayList<>(rs.size());
        for (ReleaseItem x : rs) body.add(x.holdId());
        return submitAsOperator(new Body.EscrowRelease(body)).whenComplete((r, e) -> {
            for (int i = 0; i < rs.size(); i++) {
                ReleaseItem x = rs.get(i);
                if (e != null) x.f().completeExceptionally(e);
                else if (!r.ok()) x.f().completeExceptionally(new LedgerException("release batch rejected: " + r.reason()));
                else if (r.effects().get(i) instanceof Effect.Released rel) x.f().complete(new Release(rel.holdId(), rel.amount(), r.txId(), r.height()));
                else x.f().completeExceptionally(new LedgerException("release refused: " + ((Effect.ItemSkipped) r.effects().get(i)).reason()));
            }
        });
    }

    // ------------------------------------------------------------------------------------ nodes and stake

    /**
     * Registers {@code node} to {@code owner} and stakes {@code stake} from the owner's balance (dev helper used by
     * {@code braid up}; a real owner signs these with its own key). Returns the registration result.
     */
    public TxResult registerNode(Identity owner, Identity node, long stake) {
        long n = ledger.nextNonce(owner.publicKey());
        byte[] sig = node.sign(Body.NodeRegistration.registrationMessage(node.publicKey(), owner.publicKey()));
        TxResult reg = ledger.submitAndWait(Transaction.sign(owner, n, new byte[0], new Body.NodeRegistration(node.publicKey(), sig)));
        if (!reg.ok() || stake <= 0) return reg;
        TxResult st = ledger.submitAndWait(Transaction.sign(owner, n + 1, new byte[0], new Body.Stake(stake)));
        if (!st.ok()) throw new LedgerException("node registered but stake refused: " + st.reason());
        return reg;
    }

    /** Submits a slash of {@code node} with its fraud evidence (the operator is the dev chain's slasher). */
    public TxResult slash(PublicKey node, PublicKey reporter, byte[] evidence) {
        return submitAsOperator(new Body.Slash(node, reporter, evidence)).join();
    }

    public Ledger ledger() {
        return ledger;
    }

    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        try {
            flusher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
