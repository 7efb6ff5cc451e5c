package io.braid.ledger;

import io.braid.crypto.Hash32;

/** A transaction as stored: where it is and the header of its block. */
public record TxView(Hash32 txId, Transaction tx, long height, int index, BlockHeader header) {}
