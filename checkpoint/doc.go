// Package checkpoint saves and restores training checkpoints atomically: model
// weights and optimiser state as safetensors files, trainer-defined metadata
// as JSON, and a manifest of SHA-256 checksums that makes a checkpoint
// complete and verifiable.
//
// # On-disk layout
//
// A Manager owns one root directory:
//
//	ROOT/
//	  step-00000100/             one complete checkpoint per step (8+ digits)
//	    model.safetensors        model weights, Hugging Face SiglipModel names,
//	                             __metadata__ {"format": "pt"}: loadable by the
//	                             safetensors library and transformers
//	    state.safetensors        optimiser moments and other trainer tensors
//	    meta.json                trainer JSON (config, step, optimiser scalars,
//	                             RNG state, data position, tokenizer, ...);
//	                             absent when Checkpoint.Meta is empty
//	    <extra files>            Checkpoint.Files, e.g. a Hugging Face config.json
//	    checksums.json           the manifest, written last:
//	                             {"format": "siglip-checkpoint", "version": 1,
//	                              "step": 100, "files": [{"name": ...,
//	                              "size": ..., "sha256": ...}, ...]}
//	  step-00000200/
//	  .tmp-step-00000300-XXXX/   a save in progress (or a crashed one)
//
// # Atomicity
//
// Save writes every file of a checkpoint into a fresh temporary directory
// ROOT/.tmp-step-NNNNNNNN-XXXX, fsyncs each file, writes and fsyncs
// checksums.json last, fsyncs the directory, renames it to ROOT/step-NNNNNNNN
// and fsyncs ROOT. A step directory therefore appears whole or not at all
// if the process is killed (kill -9) during a save (tested), and the fsyncs
// order the writes so that the same holds after a power loss on a file
// system that honours them. Saving a step that already exists swaps the two directories
// atomically (renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames,
// repaired on the next start). Older checkpoints beyond the keep-last-N
// limit are pruned by first renaming them to a .tmp- name, so a pruned
// checkpoint also disappears atomically. Leftover .tmp- directories are
// removed by NewManager and by the next Save.
//
// # Verification
//
// Load checks the manifest, that every listed file exists with the listed
// size and SHA-256, and that each safetensors file is well formed (see
// package safetensors). Errors name the directory, the file and the
// problem, e.g. "model.safetensors: truncated: header says 1234 bytes of
// data, file has 1000". Manager.Latest returns the newest checkpoint that
// verifies, reporting any newer corrupt or truncated ones through
// Manager.Logf, so a damaged latest checkpoint falls back to the previous
// one; with no valid checkpoint it returns an error that wraps
// ErrNoCheckpoint.
//
// One process at a time may save into a root (in a multi-process run, one
// rank saves); a Manager is safe for concurrent use within that process.
package checkpoint
