"""Texts of errors that any part may raise."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS = {
    "validation.problems": Entry(
        "发现 {count} 个问题",
        "{count} problem(s) found",
        "逐一修正所列问题后再运行",
        "fix every problem listed, then run the command again",
    ),
    "general.did_you_mean": Entry("是不是想写 `{word}`？", "did you mean `{word}`?"),
    "value.a_mapping": Entry("一个映射", "a mapping"),
    "value.a_list": Entry("一个列表", "a list"),
    "yaml.invalid": Entry(
        "文件不是有效的 YAML：{detail}",
        "the file is not valid YAML: {detail}",
        "检查本行和上一行的缩进与引号；文本中含有 ': '、'#'、'{{'，或以 '*'、'&'、'!' 开头时"
        "要加引号",
        "check indentation and quoting on this line and the one before it; quote texts that "
        "contain ': ', '#', '{{' or start with '*', '&' or '!'",
    ),
    "yaml.too_deep": Entry(
        "文件嵌套超过 {limit} 层",
        "the file is nested deeper than {limit} levels",
        "减少嵌套：流程定义和组织架构文件只需要几层",
        "flatten it: definitions and organisation files need only a few levels",
    ),
    "yaml.key_not_plain": Entry(
        "映射的键必须是简单的值",
        "a mapping key must be a plain value",
        "键写成文本或数字，不要写成列表或映射",
        "write the key as a text or a number, not a list or a mapping",
    ),
    "yaml.bad_character": Entry(
        "文件含有 YAML 不允许的字符 {character}",
        "the file contains a character YAML does not allow ({character})",
        "删除该字符（常随从其他程序复制的文本带入，例如 NUL 字节）",
        "remove it (it often comes with text copied from another program, e.g. a NUL byte)",
    ),
    "file.cannot_write": Entry(
        "无法写入文件 {path}：{reason}",
        "cannot write the file '{path}': {reason}",
        "请检查文件夹是否存在、是否可写",
        "check that its folder exists and can be written to",
    ),
}
