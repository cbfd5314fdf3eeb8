"""How tests/data/pdf/unruled_table.pdf was made (a test fixture, not a real notice):
a Word table with no borders (python-docx's default table style draws none), printed to
PDF by LibreOffice, with the CJK font Droid Sans Fallback (Debian fonts-droid-fallback)
embedded. Run: python make_unruled_table.py && soffice --headless --convert-to pdf unruled_table.docx
"""
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

d = Document()
style = d.styles["Normal"]
style.font.name = "Droid Sans Fallback"
style.element.rPr.rFonts.set(qn("w:eastAsia"), "Droid Sans Fallback")
style.font.size = Pt(11)
d.add_paragraph("某县农业农村局关于印发2024年农业农村工作任务分解表的通知")
d.add_paragraph("各乡镇人民政府，县直有关单位：")
d.add_paragraph("现将任务分解表印发给你们，请认真抓好落实。")
rows = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["1", "完成高标准农田建设2万亩", "县农业农村局", "县财政局", "2024年10月底前"],
        ["2", "推进农村人居环境整治，每月开展1次检查", "县农业农村局", "各乡镇人民政府", "全年"],
        ["3", "开展耕地保护专项督查", "县自然资源局", "县农业农村局", "6月底前"],
        ["4", "培育新型农业经营主体10家", "县农业农村局", "县市场监管局", "年底"]]
table = d.add_table(rows=len(rows), cols=5)
for i, row in enumerate(rows):
    for j, text in enumerate(row):
        table.cell(i, j).text = text
d.add_paragraph("某县农业农村局")
d.add_paragraph("2024年3月1日")
d.save("unruled_table.docx")
