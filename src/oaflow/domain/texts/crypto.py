"""Texts of sensitive fields encrypted at rest (SEC-3): the keys' configuration, values that
cannot be read, rotation. No text ever names a key's bytes or a value's plain text."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_WHICH_KEYS = (
    "检查 OAFLOW_KEYS 或 OAFLOW_KEY_FILE：每行一个“密钥编号:Base64 编码的 32 字节密钥”，第一个是当前密钥",
    "check OAFLOW_KEYS or OAFLOW_KEY_FILE: one KEY_ID:BASE64 entry of a 32-byte key each, "
    "the first one current",
)

TEXTS: dict[str, Entry] = {
    # -- the keys' configuration ----------------------------------------------------------
    "crypto.keys_twice": Entry(
        "OAFLOW_KEYS 和 OAFLOW_KEY_FILE 同时设置了",
        "both OAFLOW_KEYS and OAFLOW_KEY_FILE are set",
        "只用其中一个",
        "use one of them",
    ),
    "crypto.key_malformed": Entry(
        "{source} 的第 {position} 个密钥不是“密钥编号:Base64 密钥”的写法",
        "key {position} of {source} is not written as KEY_ID:BASE64",
        *_WHICH_KEYS,
    ),
    "crypto.key_id_invalid": Entry(
        "{source} 的第 {position} 个密钥的编号“{kid}”不合要求",
        "key {position} of {source} has the key id '{kid}', which is not allowed",
        "编号由字母、数字、- _ . 组成，最长 32 个字符",
        "a key id has letters, digits, - _ and . only, at most 32 of them",
    ),
    "crypto.key_length": Entry(
        "{source} 的密钥 {kid} 有 {length} 字节；AES-256 需要 32 字节",
        "key {kid} of {source} has {length} bytes; AES-256 needs 32",
        *_WHICH_KEYS,
    ),
    "crypto.key_id_twice": Entry(
        "{source} 中密钥编号 {kid} 出现了不止一次",
        "the key id {kid} appears more than once in {source}",
        "每个密钥用自己的编号",
        "give each key an id of its own",
    ),
    "crypto.key_file_unreadable": Entry(
        "无法读取密钥文件 {path}：{reason}",
        "cannot read the key file {path}: {reason}",
        "检查 OAFLOW_KEY_FILE 的路径和文件权限",
        "check the path in OAFLOW_KEY_FILE and the file's permissions",
    ),
    "crypto.no_keys_given": Entry("{source} 中没有密钥", "{source} holds no key", *_WHICH_KEYS),
    # -- warnings (printed, nothing stops) ------------------------------------------------
    "crypto.no_key": Entry(
        "未配置加密密钥（OAFLOW_KEYS 或 OAFLOW_KEY_FILE）：敏感字段将以明文保存，仅适用于开发环境",
        "no encryption key is configured (OAFLOW_KEYS or OAFLOW_KEY_FILE): sensitive fields "
        "are stored as plain text — for development only",
    ),
    "crypto.key_file_open": Entry(
        "密钥文件 {path} 其他用户也能读取（权限 {mode}）",
        "the key file {path} can be read by other users (mode {mode})",
        "建议权限 600：chmod 600 {path}",
        "mode 600 is recommended: chmod 600 {path}",
    ),
}
TEXTS.update(
    {
        # -- values that cannot be read or written: fail closed ----------------------------
        "crypto.key_missing": Entry(
            "{place} 的字段 {field} 已加密，但没有配置密钥",
            "the field {field} of {place} is encrypted, but no key is configured",
            "配置加密此数据库所用的密钥（OAFLOW_KEYS 或 OAFLOW_KEY_FILE）",
            "configure the keys this database was encrypted with (OAFLOW_KEYS or OAFLOW_KEY_FILE)",
        ),
        "crypto.key_unknown": Entry(
            "{place} 的字段 {field} 用密钥 {kid} 加密，但该密钥没有配置",
            "the field {field} of {place} was encrypted with the key {kid}, which is not "
            "configured",
            "把密钥 {kid} 加入 OAFLOW_KEYS 或密钥文件",
            "add the key {kid} to OAFLOW_KEYS or to the key file",
        ),
        "crypto.value_unreadable": Entry(
            "{place} 的字段 {field} 无法用密钥 {kid} 解密：密钥不对，或该值被改动或挪用",
            "the field {field} of {place} cannot be decrypted with the key {kid}: a wrong key, "
            "or the value was changed or moved",
            "确认密钥 {kid} 与加密此数据库时所用的一致",
            "check that the key {kid} is the one this database was encrypted with",
        ),
        "crypto.value_malformed": Entry(
            "{place} 的字段 {field} 像是加密值，但格式不对",
            "the field {field} of {place} looks encrypted but is malformed",
        ),
        "crypto.key_wrong": Entry(
            "密钥 {kid} 不是此数据库所用的那个（它的校验值无法解密）；未写入任何内容",
            "the key {kid} is not the one this database uses (its check value does not "
            "decrypt); nothing was written",
            "配置加密此数据库所用的密钥 {kid}，或为新密钥另取编号",
            "configure the key {kid} this database was encrypted with, or give a new key an "
            "id of its own",
        ),
        "crypto.database_encrypted": Entry(
            "此数据库的敏感字段已加密（密钥 {kids}），但没有配置密钥；未写入任何内容",
            "this database keeps sensitive fields encrypted (keys {kids}), but no key is "
            "configured; nothing was written",
            "配置加密此数据库所用的密钥（OAFLOW_KEYS 或 OAFLOW_KEY_FILE）",
            "configure the keys this database was encrypted with (OAFLOW_KEYS or OAFLOW_KEY_FILE)",
        ),
        "crypto.rotate_without_key": Entry(
            "没有配置密钥，无法重新加密",
            "no key is configured: nothing can be encrypted again",
            *_WHICH_KEYS,
        ),
    }
)
