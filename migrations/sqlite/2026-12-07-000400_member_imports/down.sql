DROP TABLE member_imports;
