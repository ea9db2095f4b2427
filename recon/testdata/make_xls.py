#!/usr/bin/python3
"""Writes abc.xls and rcb.xls, the legacy BIFF8 workbooks of the recon
layout tests, with xlwt (Debian: apt-get install python3-xlwt), a writer
independent of the Go reader under test.

abc.xls is ABC's 企业网银 账户明细 as the bank delivers it: two title rows,
the 19-column header, the lines, two summary rows at the bottom (合计 and
the print stamp); the lines of testdata/abc.csv, amounts as number cells,
交易日期 and 交易时间戳 as text, as the bank writes them.

rcb.xls is the 浙江农信 农商行 account detail: title rows, then two pages
each with the header, its lines, 本页合计 and a page mark; the lines of
testdata/rcb.csv, 交易日期 as a date-time cell (an Excel serial with the
time of day as a fraction), amounts as number cells.

Run from recon/testdata: /usr/bin/python3 make_xls.py (the Debian python)
"""
import datetime

import xlwt


def write(path, rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("明细")
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, datetime.datetime):
                sheet.write(r, c, v, when)
            else:
                sheet.write(r, c, v)
    book.save(path)


ABC_HEAD = ["交易日期", "交易时间戳", "收入金额", "支出金额", "本次余额", "手续费总额", "交易方式",
            "交易行名", "交易类别", "对方省市", "对方账号", "对方户名", "交易说明", "交易摘要",
            "交易附言", "交易凭证号", "交易日志号", "账簿号", "账簿名称"]


def abc_line(day, stamp, income, spent, balance, acct, name, memo, voucher, log):
    return [day, stamp, income, spent, balance, 0.0, "网银", "环翠支行", "转账", "山东", acct, name,
            None, "转账", memo, voucher, log, "1", "基本账簿"]


abc = [
    ["中国农业银行 账户明细"],
    ["账户：15-000000000000001  户名：威海市环翠区老旧小区改造资金专户"],
    ABC_HEAD,
    abc_line("20200803", "20200803091201000000", 500000.00, None, 1500000.00, "3700001",
             "威海市环翠区财政局", "中央补助资金", None, "356050881"),
    abc_line("20200805", "20200805102000000000", None, 139179.60, 1360820.40, "3700002",
             "国网威海供电公司", "电力改造分摊", "00101", "356050882"),
    abc_line("20200805", "20200805140000000000", None, 139179.60, 1221640.80, "3700003",
             "威海市水务集团有限公司", "供水改造分摊", "00102", "356050883"),
    abc_line("20200810", "20200810164510000000", None, 21640.80, 1200000.00, "3700004",
             "威海某建筑工程有限公司", "工程款", "00103", "356050884"),
    ["合计", None, 500000.00, 300000.00],
    ["打印时间：2020-09-01"],
]

RCB_HEAD = ["账号", "交易金额", "交易余额", "交易日期", "交易时间", "借贷标志", "币种", "对方姓名",
            "对方账号", "交易机构", "摘要"]


def rcb_line(amount, balance, when, sign, name, acct, memo):
    return ["8101000000001", amount, balance, when, when.strftime("%H.%M.%S"), sign, "人民币", name,
            acct, "环翠支行", memo]


def rcb_page(number, lines):
    return [RCB_HEAD] + lines + [["本页合计"], ["第 %d 页/共 2 页" % number]]


rcb = [
    ["威海农村商业银行 账户明细"],
    ["账号：8101000000001  户名：威海市环翠区老旧小区改造资金专户"],
] + rcb_page(1, [
    rcb_line(500000.00, 1500000.00, datetime.datetime(2020, 8, 3, 9, 12, 1), "贷",
             "威海市环翠区财政局", "3700001", "中央补助资金"),
    rcb_line(139179.60, 1360820.40, datetime.datetime(2020, 8, 5, 10, 20, 0), "借",
             "国网威海供电公司", "3700002", "电力改造分摊"),
]) + rcb_page(2, [
    rcb_line(139179.60, 1221640.80, datetime.datetime(2020, 8, 5, 14, 0, 0), "借",
             "威海市水务集团有限公司", "3700003", "供水改造分摊"),
    rcb_line(21640.80, 1200000.00, datetime.datetime(2020, 8, 10, 16, 45, 10), "借",
             "威海某建筑工程有限公司", "3700004", "工程款"),
])

write("abc.xls", abc)
write("rcb.xls", rcb)
