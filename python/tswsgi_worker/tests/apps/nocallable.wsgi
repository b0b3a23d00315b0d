something_else = 1
