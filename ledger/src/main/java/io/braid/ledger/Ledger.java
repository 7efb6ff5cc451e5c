package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The ledger as used by the gateway and validators: a Raft (Apache Ratis) member running the deterministic
 * {@link StateMachine}, a submission queue that batches transactions into blocks, and queries for the explorer.
 *
 * <p>Data directory layout: {@code genesis.bin}, {@code blocks.dat} (verified by {@code braid ledger verify}),
 * {@code raft/} (Ratis log and snapshots), and for the embedded ledger {@code validator.key} and
 * {@code operator.key} (the gateway's key: faucet, escrow, slashing).
 */
public final class Ledger implements AutoCloseable {
    /** Largest number of transactions in one proposal. */
    static final int MAX_BATCH_TXS = 8192;
    /** Largest sum of transaction bytes in one proposal (a single larger transaction goes alone). */
    static final long MAX_PROPOSAL_BYTES = 2 << 20;
    /** Proposals in flight at once. */
    static final int PIPELINE = 4;

    /** A Raft group member: an id and host:port. */
    public record Peer(String id, String address) {}

    private record Pending(Transaction tx, CompletableFuture<TxResult> future) {}

    private final Path dataDir;
    private final Genesis genesis;
    private final Identity operator;
    private final Replica replica;
    private final RaftServer server;
    private final RaftClient client;
    private final RaftGroup group;
    private final RaftPeerId selfId;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Set<Hash32> verified = ConcurrentHashMap.newKeySet();
    private final Thread proposer;
    private volatile boolean closed;

    private Ledger(Path dataDir, Genesis genesis, Identity validator, Identity operator, List<Peer> peers, String self) throws IOException {
        this.dataDir = dataDir;
        this.genesis = genesis;
        this.operator = operator;
        Path genesisFile = dataDir.resolve("genesis.bin");
        if (Files.exists(genesisFile)) {
            Genesis onDisk = Genesis.decode(Files.readAllBytes(genesisFile));
            if (!onDisk.hash().equals(genesis.hash()))
                throw new LedgerException(genesisFile + ": this data directory belongs to another chain (genesis differs); use an empty --data directory");
        } else {
            Files.write(genesisFile, genesis.encode());
        }
        this.replica = new Replica(genesis, validator, dataDir.resolve("blocks.dat"), verified);
        RaftGroupId gid = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(genesis.hash().bytes()));
        List<RaftPeer> rp = new ArrayList<>();
        for (Peer p : peers) rp.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build());
        this.group = RaftGroup.valueOf(gid, rp);
        this.selfId = RaftPeerId.valueOf(self);
        Peer me = peers.stream().filter(p -> p.id().equals(self)).findFirst()
                .orElseThrow(() -> new LedgerException("member id " + self + " is not in the peer list"));
        int colon = me.address().lastIndexOf(':');
        RaftProperties props = properties(dataDir.resolve("raft"), me.address().substring(0, colon), Integer.parseInt(me.address().substring(colon + 1)));
        if (peers.size() > 1) {
            // A member's block file can only be rebuilt by replaying log entries (a state snapshot has no blocks), so a
            // group keeps its whole log and never installs snapshots on lagging members; snapshots still speed restarts.
            RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, false);
            RaftServerConfigKeys.Log.setPurgeGap(props, Integer.MAX_VALUE);
            RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(props, false);
        }
        boolean fresh = !Files.exists(dataDir.resolve("raft").resolve(gid.getUuid().toString()));
        this.server = RaftServer.newBuilder().setServerId(selfId).setGroup(group).setStateMachine(replica)
                .setProperties(props).setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER).build();
        server.start();
        this.client = RaftClient.newBuilder().setProperties(props).setRaftGroup(group).build();
        this.proposer = Thread.ofPlatform().daemon().name("ledger-proposer").start(this::proposeLoop);
    }

    private static RaftProperties properties(Path raftDir, String host, int port) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setPort(p, port);
        GrpcConfigKeys.Server.setHost(p, host);
        // A proposal is at most ~16 MB (MAX_BATCH_TXS, and batch bodies are capped by their builders).
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("24MB"));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("17MB"));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("16MB"));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("64MB"));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 2000);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
        return p;
    }

    /** The embedded single-member ledger of a gateway, with development defaults. */
    public static Ledger openEmbedded(Path dataDir) {
        return openEmbedded(dataDir, Params.defaults());
    }

    /**
     * Opens (creating on first use) the embedded single-member ledger under {@code dataDir}: validator and operator
     * keys are created there, the operator is the genesis minter (dev faucet) and slasher. {@code params} only
     * matter on first creation; afterwards the ledger's own (governed) parameters apply.
     */
    public static Ledger openEmbedded(Path dataDir, Params params) {
        try {
            Files.createDirectories(dataDir);
            Identity validator = Identity.loadOrCreate(dataDir.resolve("validator.key"));
            Identity operator = Identity.loadOrCreate(dataDir.resolve("operator.key"));
            Path gf = dataDir.resolve("genesis.bin");
            Genesis g = Files.exists(gf) ? Genesis.decode(Files.readAllBytes(gf))
                    : new Genesis("braid-dev-" + operator.publicKeyHex().substring(0, 8), System.currentTimeMillis(), params,
                    List.of(validator.publicKey()), List.of(operator.publicKey()), List.of(operator.publicKey()), Genesis.devTreasury());
            int port = embeddedPort(dataDir.resolve("raft-port"));
            Ledger l = new Ledger(dataDir, g, validator, operator, List.of(new Peer("n0", "127.0.0.1:" + port)), "n0");
            l.awaitReady(30_000);
            return l;
        } catch (IOException | MalformedException e) {
            throw new LedgerException(dataDir + ": cannot open ledger: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a member of a replicated validator group ({@code braid validator}). Every member must be given the same
     * genesis and peer list. {@code operator} may be null for members that only validate.
     */
    public static Ledger openMember(Path dataDir, Genesis genesis, Identity validator, Identity operator, List<Peer> peers, String selfId) {
        try {
            Files.createDirectories(dataDir);
            return new Ledger(dataDir, genesis, validator, operator, peers, selfId);
        } catch (IOException | MalformedException e) {
            throw new LedgerException(dataDir + ": cannot open ledger member: " + e.getMessage(), e);
        }
    }

    private static int embeddedPort(Path portFile) throws IOException {
        if (Files.exists(portFile)) {
            int p = Integer.parseInt(Files.readString(portFile).strip());
            if (free(p)) return p;
        }
        int p;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            p = s.getLocalPort();
        }
        Files.writeString(portFile, Integer.toString(p), StandardCharsets.UTF_8);
        return p;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until this member has a leader and has applied everything committed (e.g. log replay after restart). */
    public void awaitReady(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try {
            var division = server.getDivision(group.getGroupId());
            while (System.currentTimeMillis() < deadline) {
                var info = division.getInfo();
                boolean hasLeader = info.isLeader() || division.getInfo().getLeaderId() != null;
                long committed = division.getRaftLog().getLastCommittedIndex();
                if (hasLeader && info.isLeaderReady() == info.isLeader() && replica.appliedIndex() >= committed && committed >= 0) return;
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new LedgerException("ledger member not running: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new LedgerException("ledger not ready after " + timeoutMillis + " ms (no Raft leader or log replay unfinished)");
    }

    // ---------------------------------------------------------------------------------------------- submission

    /**
     * Submits a signed transaction. The future completes when it is in a committed block (APPLIED), was a duplicate
     * of an applied one (DUPLICATE, carrying the original's location) or was rejected (REJECTED with a reason).
     * Bad signatures are rejected at once without a round trip.
     */
    public CompletableFuture<TxResult> submit(Transaction tx) {
        if (closed) return CompletableFuture.failedFuture(new LedgerException("ledger is closed"));
        if (!tx.signatureValid()) return CompletableFuture.completedFuture(TxResult.rejected(tx.id(), "bad signature: not signed by " + tx.signer()));
        verified.add(tx.id());
        CompletableFuture<TxResult> f = new CompletableFuture<>();
        queue.add(new Pending(tx, f));
        return f;
    }

    /**
     * Submits a transaction this process has just signed with its own key (the operator's batches): the signature is
     * correct by construction, so it skips the submit-time check (the state machine still verifies it on every other
     * replica and in {@code verify}).
     */
    CompletableFuture<TxResult> submitSignedHere(Transaction tx) {
        if (closed) return CompletableFuture.failedFuture(new LedgerException("ledger is closed"));
        verified.add(tx.id());
        CompletableFuture<TxResult> f = new CompletableFuture<>();
        queue.add(new Pending(tx, f));
        return f;
    }

    /** {@link #submit} and wait (up to 30 s). */
    public TxResult submitAndWait(Transaction tx) {
        try {
            return submit(tx).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LedgerException le ? le : new LedgerException("submit failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new LedgerException("transaction " + tx.id() + " not committed within 30 s (is the validator group down?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while waiting for commit");
        }
    }

    private void proposeLoop() {
        // Up to PIPELINE proposals in flight: Ratis' async client keeps their order, and the log batches their writes.
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(PIPELINE);
        while (!closed) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                window.acquire();
                List<Pending> batch = new ArrayList<>();
                batch.add(first);
                // Bound the proposal by bytes as well as count: the reply (results with effects) is several times larger
                // than the transactions and must stay under the Raft message limit.
                long bytes = first.tx().encodedShared().length;
                Pending next;
                while (batch.size() < MAX_BATCH_TXS && (next = queue.peek()) != null
                        && bytes + next.tx().encodedShared().length <= MAX_PROPOSAL_BYTES) {
                    Pending taken = queue.poll(); // this thread is the only consumer (besides close)
                    if (taken == null) break;
                    batch.add(taken);
                    bytes += taken.tx().encodedShared().length;
                }
                List<Transaction> txs = new ArrayList<>(batch.size());
                for (Pending p : batch) txs.add(p.tx());
                byte[] entry = ResultCodec.encodeProposal(System.currentTimeMillis(), txs);
                CompletableFuture<RaftClientReply> sent;
                try {
                    sent = client.async().send(Message.valueOf(ByteString.copyFrom(entry)));
                } catch (RuntimeException e) {
                    sent = CompletableFuture.failedFuture(e);
                }
                sent.whenComplete((reply, err) -> {
                    window.release();
                    complete(batch, reply, err);
                });
            } catch (InterruptedException e) {
                break;
            }
        }
        LedgerException le = new LedgerException("ledger closed before the transaction was proposed");
        Pending p;
        while ((p = queue.poll()) != null) p.future().completeExceptionally(le);
    }

    private static void complete(List<Pending> batch, RaftClientReply reply, Throwable err) {
        List<TxResult> results;
        try {
            if (err != null) throw new LedgerException("ledger unavailable: " + err.getMessage(), err);
            if (!reply.isSuccess()) throw new LedgerException("ledger rejected the proposal: " + reply.getException());
            results = ResultCodec.decode(reply.getMessage().getContent().toByteArray());
            if (results.size() != batch.size())
                throw new LedgerException("ledger returned " + results.size() + " results for " + batch.size() + " transactions (malformed proposal)");
        } catch (RuntimeException e) {
            LedgerException le = e instanceof LedgerException x ? x : new LedgerException("ledger unavailable: " + e.getMessage(), e);
            for (Pending p : batch) p.future().completeExceptionally(le);
            return;
        }
        for (int i = 0; i < batch.size(); i++) batch.get(i).future().complete(results.get(i));
    }

    /** The next nonce for {@code signer} given what is applied here (callers that sign concurrently keep their own counter). */
    public long nextNonce(PublicKey signer) {
        return replica.read(v -> v.sm().account(signer).lastNonce()) + 1;
    }

    // ------------------------------------------------------------------------------------------------- queries

    public Genesis genesis() {
        return genesis;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The gateway operator key (embedded ledger; null for validate-only members). */
    public Identity operator() {
        return operator;
    }

    /** Height of the last block applied here (lock-free). */
    public long height() {
        return replica.height();
    }

    /** Current parameters (lock-free; they change only at block boundaries). */
    public Params params() {
        return replica.params();
    }

    /** Ids of the escrow holds still open that {@code operator} placed. */
    public List<Hash32> openHolds(PublicKey operator) {
        return replica.read(v -> v.sm().openHolds(operator));
    }

    public AccountView account(PublicKey k) {
        return replica.read(v -> v.sm().account(k));
    }

    public boolean isEligible(PublicKey node) {
        return replica.read(v -> v.sm().isEligible(node));
    }

    public boolean isExcluded(PublicKey node) {
        return replica.read(v -> v.sm().isExcluded(node));
    }

    public Optional<PublicKey> nodeOwner(PublicKey node) {
        return Optional.ofNullable(replica.read(v -> v.sm().nodeOwner(node)));
    }

    public List<StateMachine.ProposalView> proposals() {
        return replica.read(v -> v.sm().proposals());
    }

    /** Totals: minted, burned, and whether conservation holds (null violation). */
    public record Supply(long minted, long burned, String conservationViolation) {}

    public Supply supply() {
        return replica.read(v -> new Supply(v.sm().minted(), v.sm().burned(), v.sm().conservationViolation()));
    }

    /** Block at {@code height}, if stored here. */
    public Optional<Block> block(long height) {
        return replica.read(v -> {
            if (height < 1 || height > v.blocks().count()) return Optional.empty();
            try {
                return Optional.of(v.blocks().read(height));
            } catch (IOException e) {
                throw new LedgerException("cannot read block " + height + ": " + e.getMessage(), e);
            }
        });
    }

    /** Up to {@code limit} block headers, newest first, starting at {@code fromHeight} (or the tip if <= 0). */
    public List<BlockHeader> headers(long fromHeight, int limit) {
        return replica.read(v -> {
            List<BlockHeader> out = new ArrayList<>();
            long h = fromHeight <= 0 ? v.blocks().count() : Math.min(fromHeight, v.blocks().count());
            try {
                for (; h >= 1 && out.size() < limit; h--) out.add(v.blocks().read(h).header());
            } catch (IOException e) {
                throw new LedgerException("cannot read blocks: " + e.getMessage(), e);
            }
            return out;
        });
    }

    /** A transaction by id, with its location. */
    public Optional<TxView> tx(Hash32 id) {
        return replica.read(v -> {
            long[] loc = v.sm().state().appliedTx.get(id);
            if (loc == null) return Optional.empty();
            try {
                Block b = v.blocks().read(loc[0]);
                return Optional.of(new TxView(id, b.txs().get((int) loc[1]), loc[0], (int) loc[1], b.header()));
            } catch (IOException e) {
                throw new LedgerException("cannot read block " + loc[0] + ": " + e.getMessage(), e);
            }
        });
    }

    /** Transactions touching {@code account} (signer, recipient, payer, rewarded owner), newest first. */
    public List<TxView> history(PublicKey account, int limit) {
        return replica.read(v -> {
            List<long[]> locs = v.history().getOrDefault(account, List.of());
            List<TxView> out = new ArrayList<>();
            try {
                for (int i = locs.size() - 1; i >= 0 && out.size() < limit; i--) {
                    Block b = v.blocks().read(locs.get(i)[0]);
                    Transaction t = b.txs().get((int) locs.get(i)[1]);
                    out.add(new TxView(t.id(), t, b.height(), (int) locs.get(i)[1], b.header()));
                }
            } catch (IOException e) {
                throw new LedgerException("cannot read blocks: " + e.getMessage(), e);
            }
            return out;
        });
    }

    /** The inclusion proof of a transaction, or empty if it is not in a block here. */
    public Optional<ProofBundle> proof(Hash32 txId) {
        return replica.read(v -> {
            long[] loc = v.sm().state().appliedTx.get(txId);
            if (loc == null) return Optional.empty();
            try {
                return Optional.of(ProofBundle.of(v.blocks().read(loc[0]), (int) loc[1], genesis.hash()));
            } catch (IOException e) {
                throw new LedgerException("cannot read block " + loc[0] + ": " + e.getMessage(), e);
            }
        });
    }

    /** Takes a Raft snapshot now (fast restart); returns the snapshot's log index. */
    public long snapshot() {
        try {
            return replica.takeSnapshot();
        } catch (IOException e) {
            throw new LedgerException("snapshot failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        proposer.interrupt();
        try {
            proposer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending p;
        while ((p = queue.poll()) != null) p.future().completeExceptionally(new LedgerException("ledger closed"));
        try {
            client.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new LedgerException("error closing ledger: " + e.getMessage(), e);
        }
    }
}
