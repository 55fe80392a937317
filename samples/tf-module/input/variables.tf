variable "prefix" {
  type        = string
  description = "Name prefix for every bucket"
  default     = "acme"
}

variable "enabled" {
  type    = bool
  default = true
}

variable "tag_value" {
  type = string
}

variable "keys" {
  type = map(string)
}
