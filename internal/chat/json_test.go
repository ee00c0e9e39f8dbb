package chat

import "testing"

func TestEncodeJSON(t *testing.T) {
	got, err := EncodeJSON(map[string]string{"text": "<b>a & b</b>"})
	if err != nil || string(got) != `{"text":"<b>a & b</b>"}` {
		t.Errorf("EncodeJSON = %s, %v", got, err)
	}
	if _, err := EncodeJSON(func() {}); err == nil {
		t.Error("a func encoded")
	}
}
