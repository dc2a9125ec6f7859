//! The invoice model: typed documents, parties, lines, taxes and totals (work in progress).
