//! `EngineHandle::open_json` on any text, with the store forced to `:memory:` (no files, no
//! PostgreSQL connection) and nothing that reaches the network: options parsing only.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let options = match values.next() {
        Some(Ok(Value::Object(mut map))) => {
            if map.contains_key("store") {
                map.insert("store".into(), Value::String(":memory:".into()));
            }
            // Keep what followed the first value: trailing text is part of the input.
            let rest = &text[values.byte_offset()..];
            format!("{}{rest}", Value::Object(map))
        }
        // Scalars cannot name a store; arrays might (serde reads structs from sequences).
        Some(Ok(Value::Array(_))) | Some(Err(_)) | None => return,
        Some(Ok(_)) => text.to_owned(),
    };
    let _ = qayd::embed::EngineHandle::open_json(&options);
});
